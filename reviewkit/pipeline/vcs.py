"""The review's provenance — its git state — and the build date taken from it, without asking git every build.

Asking git costs three processes (the files it tracks in the review's folder, the folder's last commit,
whether they differ from it); a build with nothing to do must not pay for them each time.  The answer is
kept in ``outputs/.reviewkit/provenance.json`` with a *witness* of everything that could change it: the
repository's ``HEAD`` and the branch it names (their contents), the stat of its index, ``packed-refs`` and
``config``, and the stat (size, mtime, ctime, inode, as git compares them itself) of every file git tracks in
the review's folder.  ctime cannot be set back by a program, so a file rewritten with its old mtime still
changes the witness.  A commit, a checkout, ``git add``, an edit of a tracked file, a deleted one, a repository
created around the review: each changes the witness, and git is asked again.

The answer is not kept (git is asked next time too) when git could not answer (not installed, timed out,
failed), while anything in the witness changed less than two seconds before git was asked — a change within
the filesystem's timestamp granularity could otherwise go unseen ("racy git") — nor when the folder holds a
submodule (its own changes do not show in its stat) or the repository keeps its refs in the reftable format
(not read here).  The ``GIT_*`` variables of the environment are part of the witness (hashed: one may hold a
credential); with one that points git at another repository, index or object store (:data:`ELSEWHERE`) git
is always asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISDIR

from .cache import STATE_DIR

NOT_TRACKED = {"commit": "", "date": "", "dirty": False, "text": "from a review not under version control"}
#: variables that make git use a repository, index or objects other than those found from the folder
ELSEWHERE = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")
RACY_NS = 2_000_000_000  # a witness newer than this, when git was asked, is not kept

#: root -> (witness, answer), so the calls of one build (report key, footer, manifest) cost one check each
_MEMO: dict = {}


def build_date(root: Path | None = None) -> str:
    """``SOURCE_DATE_EPOCH`` if set, else the date of the review's last commit, else today.

    Taken from the data rather than the clock, so two builds of unchanged
    inputs produce the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%d")
    committed = provenance(root)["date"] if root else ""
    return committed or datetime.now(UTC).strftime("%Y-%m-%d")


def data_as_of(cfg) -> str:
    """``report.data_as_of`` if given, else the date of the last commit that touched references/."""
    return cfg.report.get("data_as_of") or (
        _git(cfg.root, "log", "-1", "--format=%cs", "--", "references") if provenance(cfg.root)["commit"] else ""
    )


def _git(root, *args) -> str:
    """git's output, "" when it failed (exit status not 0) or could not run."""
    return _run(root, *args)[1]


def _run(root, *args) -> tuple[int | None, str]:
    """(git's exit status, or None when it could not run or timed out; its output)."""
    import subprocess  # here: a build that finds its provenance kept does not import it

    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None, ""
    return out.returncode, out.stdout.strip() if out.returncode == 0 else ""


def provenance(root: Path) -> dict:
    """The review's own version-control state, from the git history of the review's folder.

    ``commit``: the last commit that touched the review's folder ("" when the
    review is not under version control — no repository, or a repository that
    does not track this review's ``review.toml``, like a review created inside
    another project's checkout); ``dirty``: tracked files of the folder differ
    from that commit; ``text``: what the footer says.
    """
    root = Path(root).resolve()
    if any(name in os.environ for name in ELSEWHERE):
        return _ask(root)[0]
    store = root / "outputs" / STATE_DIR / "provenance.json"
    kept = _MEMO.get(root) or _load(store)
    if kept is not None and _witness(root, kept[0]["files"])[0] == kept[0]:
        return kept[1]
    asked = time.time_ns()
    info, files, sure = _ask(root)
    witness, newest, plain = _witness(root, files)
    if not sure:  # git missing, timed out or failed: this answer is for this build only
        return info
    _MEMO[root] = (witness, info)
    if plain and newest < asked - RACY_NS:
        try:
            from ..atomic import write

            write(store, json.dumps({"witness": witness, "answer": info}, sort_keys=True))
        except OSError:  # a read-only output folder: git is asked next time
            pass
    return info


def _ask(root: Path) -> tuple[dict, list[str], bool]:
    """(the answer, the files git tracks in the review's folder, whether git answered every question: ran in
    time, and — past ``ls-files``, which fails outside a repository — exited with status 0)."""
    status, listed = _run(root, "ls-files", "-z", "--", ".")
    files = [f for f in listed.split("\0") if f]
    if "review.toml" not in files:  # ls-files fails outside a repository: an answer, unless there is one
        return dict(NOT_TRACKED), files, status == 0 or (status is not None and _repository(root)[0] is None)
    status, line = _run(root, "log", "-1", "--format=%h %cs", "--", ".")
    if not line:
        return dict(NOT_TRACKED), files, status == 0
    commit, date = line.split()
    status, changes = _run(root, "status", "--porcelain", "--untracked-files=no", "--", ".")
    text = f"from commit {commit}" + (" with uncommitted changes" if changes else "")
    return {"commit": commit, "date": date, "dirty": bool(changes), "text": text}, files, status == 0


def _load(store: Path):
    """(witness, answer) as kept, or None (none kept, or not in the shape this module writes)."""
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
        witness, answer = data["witness"], data["answer"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    shaped = isinstance(witness, dict) and isinstance(witness.get("files"), list) and isinstance(answer, dict)
    return (witness, answer) if shaped and set(answer) == set(NOT_TRACKED) else None


def _witness(root: Path, files: list[str]) -> tuple[dict, int, bool]:
    """(what git's answer depends on, the newest mtime or ctime in it, whether it may be kept: no submodule)."""
    newest, plain = 0, True

    def stat(path: Path) -> list | None:
        nonlocal newest, plain
        try:
            st = os.lstat(path)
        except OSError:
            return None
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        plain = plain and not S_ISDIR(st.st_mode)
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    # git's other settings, as they were: hashed, since one may hold a credential (GIT_CONFIG_PARAMETERS)
    env = hashlib.sha256(repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_"))).encode())
    gitdir, common = _repository(root)
    if gitdir is None or common is None:
        return {"git": None, "env": env.hexdigest(), "files": files}, newest, plain
    if (common / "reftable").is_dir():  # refs in git's binary reftable format, not read here: never kept
        plain = False
    head = _read(gitdir / "HEAD")
    ref = head[4:].strip() if head.startswith("ref:") else ""
    witness = {
        "git": str(gitdir),
        "env": env.hexdigest(),
        "HEAD": head,
        "ref": _read(common / ref) if ref else "",
        "index": stat(gitdir / "index"),
        "packed-refs": stat(common / "packed-refs"),
        "config": stat(common / "config"),
        "files": files,
    }
    witness["stat"] = [stat(root / f) for f in files]
    return witness, newest, plain


def _repository(root: Path) -> tuple[Path | None, Path | None]:
    """(the git folder of the repository holding *root*, its common folder — not the same in a linked worktree)."""
    for d in (root, *root.parents):
        dot = d / ".git"
        if dot.is_dir():
            gitdir = dot
        elif dot.is_file():
            text = _read(dot)
            if not text.startswith("gitdir:"):
                continue
            gitdir = (d / text[len("gitdir:") :].strip()).resolve()
        else:
            continue
        common = _read(gitdir / "commondir").strip()
        return gitdir, (gitdir / common).resolve() if common else gitdir
    return None, None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
