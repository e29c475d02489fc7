"""PostgreSQL only: the database itself refuses an unbalanced journal (checked
at commit by a deferred constraint trigger) and any UPDATE or DELETE of an
entry. On other databases this migration does nothing; the services and
``ledger_check`` keep the same rules there.

The balance trigger is row-level (constraint triggers cannot have transition
tables), so at commit a journal of n lines is re-summed n times; with 2-3 lines
per journal that is cheap (see docs/ledger.md, "Guards in the database")."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_journal_must_balance() RETURNS trigger AS $$
DECLARE
    total numeric;
    lines integer;
BEGIN
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, lines
      FROM ledger_entry WHERE journal_id = NEW.journal_id;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'ledger: journal % does not balance (% lines, sum %)',
            NEW.journal_id, lines, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_entry_journal_balanced
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_must_balance();

CREATE OR REPLACE FUNCTION ledger_entry_is_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger: entries are never updated or deleted (entry %)', OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_is_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entry_no_update_or_delete ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_is_immutable();
DROP TRIGGER IF EXISTS ledger_entry_journal_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_journal_must_balance();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
