"""Provenance that is true: the footer and manifest name the review's own commit, or say it has none."""

import json
import subprocess

from conftest import copy_project, reviewkit


def git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def footer(project):
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    return html[html.index('<footer class="provenance">') : html.index("</footer>")]


def manifest(project):
    return json.loads((project / "outputs" / "manifest.json").read_text(encoding="utf-8"))["review"]


def test_a_review_inside_another_checkout_is_not_under_version_control_until_tracked(tmp_path):
    outer = tmp_path / "other-project"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "unrelated.txt").write_text("synthetic\n", encoding="utf-8")
    git(outer, "add", "unrelated.txt")
    git(outer, "commit", "-q", "-m", "unrelated")
    outer_commit = git(outer, "rev-parse", "--short", "HEAD")
    review = copy_project(outer / "review")  # inside the checkout, not tracked by it

    reviewkit("build", review, "--to", "html", check=True)
    assert "from a review not under version control" in footer(review)
    assert outer_commit not in footer(review)
    assert manifest(review) == {"commit": None, "uncommitted_changes": False, "under_version_control": False}

    (outer / ".gitignore").write_text("outputs/\n", encoding="utf-8")
    git(outer, "add", "review", ".gitignore")
    git(outer, "commit", "-q", "-m", "track the review")
    own = git(outer, "log", "-1", "--format=%h", "--", "review")
    (outer / "unrelated.txt").write_text("synthetic, changed later\n", encoding="utf-8")  # outside the review
    git(outer, "commit", "-q", "-am", "unrelated change after the review's commit")
    reviewkit("build", review, "--to", "html", check=True)
    assert f"from commit {own}." in footer(review)  # the review's last commit, not the checkout's HEAD
    assert manifest(review) == {"commit": own, "uncommitted_changes": False, "under_version_control": True}

    abstract = review / "abstract.md"
    abstract.write_text(
        abstract.read_text(encoding="utf-8") + "\nAn uncommitted synthetic sentence.\n", encoding="utf-8"
    )
    reviewkit("build", review, "--to", "html", check=True)
    assert f"from commit {own} with uncommitted changes." in footer(review)
    assert manifest(review)["uncommitted_changes"] is True
