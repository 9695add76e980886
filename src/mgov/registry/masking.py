"""Contact details shown to users without the right to see them in full."""

from __future__ import annotations

from typing import Any


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, _, domain = email.rpartition("@")
    return f"{local[0]}***@{domain}" if local else email


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) < 7:
        return "*" * len(phone)
    hidden = set(digits[3:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))


def mask_person(person: dict[str, Any]) -> dict[str, Any]:
    """The person with e-mail and phone masked; a key that is an e-mail is masked too."""
    out = {**person, "email": mask_email(person.get("email")), "phone": mask_phone(person.get("phone"))}
    if "@" in str(person.get("key", "")):
        out["key"] = mask_email(person["key"])
    return out
