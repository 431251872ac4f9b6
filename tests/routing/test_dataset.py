"""The group split keeps near-duplicates together: halves of one message, re-scraped titles and bodies."""

from __future__ import annotations

import pytest

from operator_app.routing.dataset import Example, group_ids, group_split

pytest.importorskip("scipy", reason="near-duplicate links need scipy (comes with the dev extra's scikit-learn)")

BODY = "我们小区的物业公司每个月多收停车费，业主委员会多次反映都没有结果，希望有关部门尽快处理。"
OTHER = "学校周末组织学生补课并且收取费用，家长多次向教育局反映，至今没有人来处理这个问题。"


def test_the_title_half_and_the_body_half_of_one_message_share_a_group() -> None:
    rows = [
        Example("物业公司每个月多收停车费", "", "城乡建设"),  # title-only row
        Example("", BODY, "城乡建设"),  # body-only row of the same message
        Example("", OTHER, "教育文体"),
    ]
    groups = group_ids(rows)
    assert groups[0] == groups[1] != groups[2]
    assert len(set(group_ids(rows, near_duplicates=False))) == 3  # exact keys alone would miss the halves


def test_near_identical_titles_and_bodies_share_a_group() -> None:
    rows = [
        Example("关于A1区某某小区物业公司乱收停车费问题的投诉", "", "城乡建设"),
        Example("关于A2区某某小区物业公司乱收停车费问题投诉", "", "城乡建设"),
        Example("", BODY, "城乡建设"),
        Example("", BODY.replace("尽快", "赶快"), "城乡建设"),
        Example("", OTHER, "教育文体"),
        Example("老师体罚学生", "", "教育文体"),
    ]
    groups = group_ids(rows)
    assert groups[0] == groups[1]
    assert groups[2] == groups[3]
    assert len({groups[0], groups[2], groups[4], groups[5]}) == 4


def test_the_split_never_separates_a_group() -> None:
    rows = [Example(f"物业公司第{i}次多收停车费", "", "城乡建设") for i in range(30)]
    rows += [Example("", BODY + "补充" * i, "城乡建设") for i in range(5)]
    train, test = group_split(rows)
    groups = group_ids(rows)
    assert not {groups[i] for i in train} & {groups[i] for i in test}
