"""Word documents (python-docx) for editing: the 公文 the PDFs print, on the same GB/T 9704 page.

layout.py is the page and the building blocks; one module per document family writes a file from
what the area package hands over (the same data the PDF writers receive). No database here.
Kept free of python-docx imports so that importing core stays fast."""

WORD_SUFFIX = ".docx"


def is_word(path) -> bool:
    """Whether a file name asks for Word (the extension decides; PDF stays the default)."""
    return str(path).lower().endswith(WORD_SUFFIX)
