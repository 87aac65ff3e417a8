"""The admin's name search: short terms as a prefix, longer ones anywhere, both answered by an index."""

import pytest
from django.db import connection
from django.urls import reverse

from cadres.models import Cadre
from tests.factories import CadreFactory, CommunityFactory, StreetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(client, bureau_user):
    bureau_user.is_staff = True
    bureau_user.save()
    client.force_login(bureau_user)
    return client


def _found(client, term):
    response = client.get(reverse("admin:cadres_cadre_changelist"), {"q": term})
    assert response.status_code == 200
    return sorted(cadre.name for cadre in response.context["cl"].result_list)


def test_short_terms_find_by_the_start_and_longer_ones_anywhere(bureau):
    for name in ("张国伟", "张秀兰", "李国伟", "王建华"):
        CadreFactory(name=name)
    assert _found(bureau, "张") == ["张国伟", "张秀兰"]  # a surname
    assert _found(bureau, "zg") == ["张国伟"]  # pinyin initials
    assert _found(bureau, "国伟") == []  # two characters: from the start only
    assert _found(bureau, "张国伟") == ["张国伟"]
    assert _found(bureau, "guowei") == ["张国伟", "李国伟"]  # three or more: anywhere in the pinyin


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's (pg_trgm, btree)")
@pytest.mark.parametrize(("term", "index"), [("张国伟", "cadre_name_trgm_idx"), ("张", "cadre_name_prefix_idx")])
def test_postgresql_answers_the_search_from_an_index(term, index):
    CadreFactory.create_batch(20)
    lookup = "icontains" if len(term) >= 3 else "istartswith"
    queryset = Cadre.objects.filter(**{f"name__{lookup}": term}).order_by()
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_one_communitys_roster_is_listed_by_its_name_or_the_community_filter(bureau):
    """Finding: searching "华阳社区" found 0, and no filter listed one community's roster to export."""
    street = StreetFactory(name="明水街道")
    huayang, other = CommunityFactory(street=street, name="华阳社区"), CommunityFactory(street=street, name="汇泉社区")
    CadreFactory(community=huayang, name="张国伟")
    CadreFactory(community=huayang, name="李秀英")
    CadreFactory(community=other, name="王建华")
    assert _found(bureau, "华阳社区") == ["张国伟", "李秀英"]

    url = reverse("admin:cadres_cadre_changelist")
    page = bureau.get(url, {"street": street.pk}).content.decode()
    assert f'<option value="{huayang.pk}">华阳社区</option>' in page  # the street's communities to pick from
    response = bureau.get(url, {"street": street.pk, "community": huayang.pk})
    assert sorted(cadre.name for cadre in response.context["cl"].result_list) == ["张国伟", "李秀英"]
