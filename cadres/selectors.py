"""Reads of the cadres app that screens share."""

import re

from cadres.models import Cadre


def search_cadres(*, community, query: str, limit: int = 20):
    """Living cadres of a community found by name, pinyin initials or full pinyin, or phone's last 4 digits.

    ``zgw`` and ``zhangguowei`` both find 张国伟; ``5678`` finds whoever's phone ends in 5678.
    """
    text = re.sub(r"\s+", "", query or "").lower()
    cadres = Cadre.objects.living().in_community(community)
    if not text:
        return cadres.none()
    if text.isdigit() and len(text) == 4:
        cadres = cadres.filter(phone_tail=text)
    elif text.isascii() and text.isalpha():
        from django.db.models import Q

        cadres = cadres.filter(Q(name_initials__startswith=text) | Q(name_pinyin__startswith=text))
    else:
        cadres = cadres.filter(name__contains=text)
    return cadres.order_by("name").only("name", "gender", "birth_date", "community_id")[:limit]


def find_cadre_for_self_sign_in(*, community, name: str, digits: str):
    """The living cadre of ``community`` with this exact name whose phone or ID number ends in ``digits``."""
    from cadres.parsers import clean_text

    name = clean_text(name).replace(" ", "")
    digits = clean_text(digits).replace(" ", "").upper()
    if not name or len(digits) != 4:
        return None
    for cadre in Cadre.objects.living().in_community(community).filter(name=name):
        # few people share a name in one community: decrypting their numbers to compare is cheap
        if cadre.phone_tail == digits or cadre.id_number[-4:] == digits:
            return cadre
    return None
