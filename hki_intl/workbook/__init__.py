"""The contributors' workbook: its schema, the template written from it, the one place where
workbooks are read from and written to disk, where things are in one, and the feedback copies."""
