"""Forms that ask for personal data (pure): a form with a field for a name, a phone number, an
e-mail or postal address, an identity document number, a date of birth or a password, told by
the field's type, name, id, placeholder, aria-label or its label's text. A search box is none.
Also the links a page offers toward such forms (我要留言, 在线咨询, Contact us, Ask a question)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mgov.content.notices import page_links
from mgov.evidence.urls import join_url

# what a field asks for -> how it is named (attributes and labels, folded to lower case)
KINDS: tuple[tuple[str, str], ...] = (
    ("id_number", r"身份证|证件号|sfz|idcard|id_?card|id_?no|zjhm|social ?security|\bssn\b|passport|护照"),
    ("phone", r"手机|电话|联系方式|mobile|phone|\btel\b|telephone|shouji|lxdh|\bsj\b|cellphone"),
    ("email", r"邮箱|电子邮件|e-?mail|\bmail\b|youxiang"),
    ("name", r"姓名|真实姓名|联系人|your name|full ?name|first ?name|last ?name|real_?name|\bxm\b|xingming|^name$"),
    ("address", r"地址|住址|address|\baddr\b|street|zip ?code|postal|邮编"),
    ("birth", r"出生|生日|birth|\bdob\b"),
    ("password", r"密码|password|passwd"),
)
_KINDS = [(k, re.compile(p, re.I)) for k, p in KINDS]
_TYPES = {"email": "email", "tel": "phone", "password": "password"}
_SKIP = frozenset({"hidden", "submit", "button", "reset", "image", "checkbox", "radio", "search", "file"})
LINK_WORDS = re.compile(r"我要(留言|咨询|投诉|建议|写信|提问)|在线(咨询|留言|投诉|申请|办理|信访)|"
                        r"(书记|市长|县长|区长|局长)信箱|留言|咨询|信箱|投诉|建议|征集|互动交流|网上信访|"
                        r"\bfeedback\b|\bcontact( us)?\b|"
                        r"ask a question|submit a (question|request|comment)|\bforms?\b|\bapply\b|report a", re.I)


@dataclass
class PersonalForm:
    action: str
    fields: list[str] = field(default_factory=list)  # the kinds asked, e.g. ["name", "phone"]


def _label_of(node: LexborNode, labels: dict[str, str]) -> str:
    parent = node.parent
    while parent is not None and parent.tag not in ("label", "form", "body"):
        parent = parent.parent
    own = (parent.text(separator=" ") or "") if parent is not None and parent.tag == "label" else ""
    return own + " " + labels.get(node.attributes.get("id") or "", "")


def _kind(node: LexborNode, labels: dict[str, str]) -> str | None:
    attrs = node.attributes
    kind = (attrs.get("type") or "text").lower()
    if kind in _SKIP:
        return None
    if kind in _TYPES:
        return _TYPES[kind]
    said = " ".join(v or "" for k, v in attrs.items() if k in ("name", "id", "placeholder", "aria-label", "title",
                                                                "autocomplete"))
    said += " " + _label_of(node, labels)
    return next((k for k, p in _KINDS if p.search(said.strip())), None)


def personal_forms(html: str, base: str) -> list[PersonalForm]:
    """The forms of a page that ask for personal data, with what they ask."""
    try:
        tree = LexborHTMLParser(html)
    except (ValueError, UnicodeError, TypeError):
        return []
    labels = {lab.attributes.get("for") or "": lab.text(separator=" ") or "" for lab in tree.css("label[for]")}
    out = []
    for form in tree.css("form"):
        if (form.attributes.get("role") or "") == "search":
            continue
        kinds: list[str] = []
        for node in form.css("input, select, textarea"):
            if node.tag == "textarea":
                continue
            if (kind := _kind(node, labels)) is not None and kind not in kinds:
                kinds.append(kind)
        if kinds:
            action = join_url(base, (form.attributes.get("action") or "").strip()) or base
            out.append(PersonalForm(action, kinds))
    return out


def form_links(html: str, base: str, limit: int = 6) -> list[str]:
    """Same-site links whose text says they lead to a form or a message board, in page order."""
    here = base.split("#", 1)[0].rstrip("/")
    return [url for url, anchor in page_links(html, base, same_site=True)
            if url.rstrip("/") != here and LINK_WORDS.search(anchor)][:limit]
