"""The receipt in its formats (docs/receipts.md): ``receipt_escpos`` (58 mm
thermal printers), ``receipt_png`` (the shareable image), ``receipt_pdf`` and
``receipt_sms_text``; each takes the ``ReceiptDoc`` of ``data.receipt_doc``
(the SMS takes the receipt) and a language (``en`` or ``hi``)."""
