"""Pixels to text (Tesseract via pytesseract); scans and PDFs arrive in a later step."""
