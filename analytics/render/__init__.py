"""Writers of a generated Document: DOCX (python-docx), PDF (LibreOffice from the DOCX), XLSX (openpyxl),
CSV and the terminal (one table)."""
