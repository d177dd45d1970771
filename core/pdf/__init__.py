"""PDF documents (reportlab). Kept free of reportlab imports so that importing core stays fast."""

# The office's font choice per role (settings → pdf_fonts), applied to every document this
# process renders unless a caller passes its own. Set when the store is opened and when the
# setting changes.
office_font_preferences: dict[str, str] = {}
# The office's name, written as the author of every PDF (set with the fonts).
office_author: str = ""
