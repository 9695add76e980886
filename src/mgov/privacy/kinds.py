"""The kinds of personal data the detector finds, with their words and weights."""

from __future__ import annotations

from enum import StrEnum

from mgov.evidence.privacy import KIND_WORDS


class Kind(StrEnum):
    CN_ID = "cn_id"  # 居民身份证号码 (GB 11643)
    CN_MOBILE = "cn_mobile"
    CN_LANDLINE = "cn_landline"
    BANK_CARD = "bank_card"
    US_SSN = "us_ssn"
    PASSPORT = "passport"
    EMAIL = "email"
    NAME = "name"  # a person's name beside one of the others in a table row


LABELS: dict[Kind, tuple[str, str]] = {Kind(k): words for k, words in KIND_WORDS.items()}
# Identifiers whose publication is a leak however few: PIPL Art. 28's sensitive personal
# information (身份证件号码, 金融账户) and their US counterparts.
SENSITIVE: frozenset[Kind] = frozenset({Kind.CN_ID, Kind.BANK_CARD, Kind.US_SSN, Kind.PASSPORT})
# Contact details: an office publishes its own; a list of people's is a leak.
CONTACT: frozenset[Kind] = frozenset({Kind.CN_MOBILE, Kind.CN_LANDLINE, Kind.EMAIL})
# How much one value weighs in a document's score (the order of the documents in a finding).
WEIGHTS: dict[Kind, float] = {Kind.CN_ID: 10, Kind.BANK_CARD: 10, Kind.US_SSN: 10, Kind.PASSPORT: 8,
                              Kind.CN_MOBILE: 2, Kind.EMAIL: 1, Kind.NAME: 1, Kind.CN_LANDLINE: 0.5}
