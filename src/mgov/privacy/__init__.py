"""Personal data in published content (issue 18): pure detection, masking and severity.

`detect` finds personal values in a document's text (kinds in `kinds`, validity rules in
`validate`, names in `names`), `mask` is the one way a value is ever shown, `summary` folds
a document's hits into counts, masked samples and a severity, and `extract` turns a
document's bytes (HTML, PDF, DOCX, XLSX, XLS, CSV) into text, bounded. No network and no
database: the crawl fetches and archives, this package only reads what it is given.
"""
