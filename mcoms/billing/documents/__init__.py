"""Bill documents: the PDF (English or Hindi), the SMS text, and the reads
behind them (docs/billing-documents.md).

* ``data.bill_document(bill)`` gathers what a bill shows into a plain
  ``BillDocument`` (three queries), the one input of every renderer.
* ``pdf.bill_pdf(doc, language=...)`` renders it with fpdf2; Hindi is shaped
  with HarfBuzz (uharfbuzz) in Noto Sans Devanagari from Debian's
  ``fonts-noto-core`` (``fonts.font_set``).
* ``sms.bill_sms_queue(bill=...)`` / ``sms.bills_sms_queue(bills=...)`` queue
  the bill SMS (and the in-app copy) through ``mcoms.notifications``.
"""
