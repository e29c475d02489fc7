"""CSV import of existing packages and customers (docs/import.md).

Operators moving from spreadsheets upload a packages file, a customers file or
both. Every row of both files is checked before anything is written; the
report lists every bad row with its row number (the spreadsheet's: the header
is row 1), column and reason. The import itself is all or nothing: one
transaction that checks everything again under the pole locks and writes
nothing if any row is bad.

* ``import_check``: the dry run; reads only.
* ``import_upload``: keeps the files (an ``ImportBatch``) with the dry run's
  report, so that the back office and the API can confirm them later by token.
* ``import_commit``: the real import of a kept batch.
* A file once imported cannot be imported again by the company (its hash,
  unique among imported batches): a second import is refused, never doubled.

Customers are written in bulk with the rules of ``customer_create``: the
customer ID from plant, pole and connection (the next free connection on the
pole unless the file gives one), one sign-in user per mobile number, the
package at the customer's plant, a history row each.
"""

from mcoms.customers.imports.batches import (
    get_import_for_user,
    import_commit,
    import_upload,
    imports_for,
)
from mcoms.customers.imports.checks import import_check
from mcoms.customers.imports.files import (
    CUSTOMER_COLUMNS,
    PACKAGE_COLUMNS,
    CsvFile,
    Problem,
    Report,
    max_bytes,
    read_upload,
    read_uploaded,
)

__all__ = [
    "CUSTOMER_COLUMNS",
    "PACKAGE_COLUMNS",
    "CsvFile",
    "Problem",
    "Report",
    "get_import_for_user",
    "import_check",
    "import_commit",
    "import_upload",
    "imports_for",
    "max_bytes",
    "read_upload",
    "read_uploaded",
]
