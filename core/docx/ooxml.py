"""WordprocessingML details python-docx leaves to its caller: property elements it has no API for
are put in the place the schema prescribes, since Word refuses a file whose children are out of order."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Child order the OOXML schema prescribes, for the property elements written here.
SCHEMA_ORDER = {
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
              "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:rPr": ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
              "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
              "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:trPr": ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter", "w:cantSplit",
               "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
               "w:trPrChange"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                 "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                 "w:printerSettings", "w:sectPrChange"),
}


def put(parent, child, **attributes):
    """Child element `child` (a tag, or an element made beforehand) of a properties element, in its
    schema place, replacing one there was, with the given w: attributes. Returns it."""
    element = OxmlElement(child) if isinstance(child, str) else child
    tag = element.tag
    for old in parent.findall(tag):
        parent.remove(old)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), str(value))
    order = SCHEMA_ORDER[prefixed(parent.tag)]
    position = order.index(prefixed(tag))
    successor = next((c for c in parent if prefixed(c.tag) in order[position + 1:]), None)
    if successor is not None:
        successor.addprevious(element)
    else:
        parent.append(element)
    return element


def prefixed(clark: str) -> str:
    """'{namespace}name' of the w: namespace as 'w:name'."""
    return "w:" + clark.rsplit("}", 1)[-1]
