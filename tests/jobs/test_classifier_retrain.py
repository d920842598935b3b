"""Retraining on staff corrections runs in the jobs process (`python -m service.jobs run classifier-retrain`),
never inside a request; web processes then classify with the stored model (issue #17)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.domain import reference
from service.domain.classification import model as classify
from service.domain.inbound import Actor
from service.jobs.schedule import JOBS
from service.models.job import ClassifierModel
from tests.factories import builder

ROOT = Path(__file__).resolve().parents[2]
STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
submitted = builder(unit="11737", kind="phan_anh", category="khac", petitioner=None)

FIRST = ("Khu vui chơi trẻ em ở công viên tổ dân phố 4 có cầu trượt gãy, xích đu hỏng, "
         "các cháu chơi rất nguy hiểm, đề nghị kiểm tra.")
LATER = ("khu vui choi tre em o cong vien to dan pho 4 cau truot bi gay, xich du hong, "
         "tre con choi nguy hiem lam, de nghi kiem tra")


def run_jobs(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "SCHEDULER_ENABLED": "true"}
    return subprocess.run([sys.executable, "-m", "service.jobs", "run", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280)


def test_the_retrain_job_is_in_the_one_list():
    assert "classifier-retrain" in {job.id for job in JOBS}


@pytest.mark.committed
def test_a_correction_reaches_the_classifier_through_the_jobs_process(database, database_url, monkeypatch):
    with database.session_scope() as session:
        before = classify.classify(LATER, session=session)
        wanted = "chinh_sach_xa_hoi" if before.category != "chinh_sach_xa_hoi" else "khac"
        petition = submitted(session, FIRST)
        classify.record_correction(session, petition, "phan_anh", wanted, STAFF, "Thiết chế cho trẻ em")
    with database.session_scope() as session:
        still = classify.classify(LATER, session=session)  # no training inside the request
        assert still.category == before.category and still.source != "correction"

    result = run_jobs(database_url, "classifier-retrain")
    assert result.returncode == 0, result.stderr
    assert "classifier-retrain: done" in result.stdout
    # This process reads the newest model's id once per reference.TTL (issue #19): let that time pass.
    monkeypatch.setattr(reference, "TTL", 0.0)
    with database.session_scope() as session:
        assert session.scalar(select(func.count(ClassifierModel.id))) == 1
        after = classify.classify(LATER, session=session)
        assert after.category == wanted and after.source == "correction"
        assert "cán bộ phân loại lại" in after.explanation
        unrelated = classify.classify("Tôi khiếu nại quyết định thu hồi đất, giá bồi thường thấp", session=session)
        assert unrelated.category == "dat_dai"

    again = run_jobs(database_url, "classifier-retrain")  # nothing new: no second model
    assert again.returncode == 0, again.stderr
    with database.session_scope() as session:
        assert session.scalar(select(func.count(ClassifierModel.id))) == 1


def test_an_unknown_job_is_refused(database_url):
    result = run_jobs(database_url, "no-such-job")
    assert result.returncode == 2 and "classifier-retrain" in result.stderr
