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
