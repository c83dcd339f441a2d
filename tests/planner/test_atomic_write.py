"""Atomic writes (defects 24 and 29): racing writers, killed writers, failures mid-set, modes, symlinks."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import dcplan.planner.export as export
from dcplan.models.errors import DcplanError
from dcplan.planner.cli import main
from dcplan.planner.export import STAGING_PREFIX, commit_files, remove_stale_staging, write_atomic, write_plan
from tests.planner.conftest import scenario, solve_plan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_plan(ideal_catalog):
    plan = solve_plan(scenario(), ideal_catalog)
    assert plan.feasible and len(plan.layout) > 0
    return plan


@pytest.fixture(scope="module")
def small_json(small_plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("atomic") / "small.json"
    write_plan(small_plan, path)
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- defect 24: "refuse if it exists" is atomic -------------------------------------------


def test_two_writers_racing_for_one_name_one_wins(tmp_path):
    """Both writers pass the early exists() check and are writing at the same time; only one may land."""
    target = tmp_path / "plan.json"
    barrier = threading.Barrier(2, timeout=10)
    results: dict[str, str] = {}

    def writer(name: str) -> None:
        def write(tmp: Path) -> None:
            tmp.write_text(name)
            barrier.wait()  # both are past every check before either puts its file in place

        try:
            write_atomic(target, write, force=False)
            results[name] = "ok"
        except DcplanError as exc:
            results[name] = str(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    outcomes = sorted(results.values())
    assert outcomes.count("ok") == 1, results
    loser = next(v for v in outcomes if v != "ok")
    assert "already exists; pass --force" in loser
    winner = next(k for k, v in results.items() if v == "ok")
    assert target.read_text() == winner
    assert listing(tmp_path) == ["plan.json"]


RACER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from dcplan.planner.export import write_atomic\n"
    "from dcplan.models.errors import DcplanError\n"
    "folder, rounds = Path(sys.argv[1]), int(sys.argv[2])\n"
    "print('ready', flush=True)\n"
    "start = float(sys.stdin.readline())\n"
    "for r in range(rounds):\n"
    "    deadline = start + 0.25 * r\n"
    "    def write(tmp):\n"
    "        tmp.write_text(sys.argv[3])\n"
    "        time.sleep(max(0.0, deadline - time.time()))  # every racer is past its checks by now\n"
    "    try:\n"
    "        write_atomic(folder / f'plan-{r}.json', write, force=False)\n"
    "        print(r, 'ok', flush=True)\n"
    "    except DcplanError as exc:\n"
    "        print(r, 'refused' if 'already exists' in str(exc) else str(exc), flush=True)\n"
)


def test_racing_processes_never_both_succeed(tmp_path):
    """Real processes: 3 writers race for each of 5 new names without --force; exactly one wins each."""
    rounds = 5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(tmp_path), str(rounds), f"writer {i}"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    start = time.time() + 0.5
    outputs = [p.communicate(f"{start}\n", timeout=60)[0] for p in procs]
    by_round: dict[str, list[str]] = {}
    for text in outputs:
        for line in text.splitlines():
            r, answer = line.split(" ", 1)
            by_round.setdefault(r, []).append(answer)
    assert len(by_round) == rounds
    for r, answers in by_round.items():
        assert sorted(answers) == ["ok", "refused", "refused"], (r, answers)
    assert not [n for n in listing(tmp_path) if n.startswith(".")]


# --- defect 29: temporary files -----------------------------------------------------------


def test_failed_and_interrupted_writes_leave_nothing(tmp_path):
    path = tmp_path / "plan.html"
    path.write_text("old")

    def interrupted(tmp: Path) -> None:
        tmp.write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, interrupted, force=True)
    assert path.read_text() == "old"
    assert listing(tmp_path) == ["plan.html"]

    def broken(tmp: Path) -> None:
        tmp.write_text("partial")
        raise ValueError("a bug in a writer")

    with pytest.raises(ValueError):
        write_atomic(path, broken, force=True)
    assert path.read_text() == "old" and listing(tmp_path) == ["plan.html"]


KILLED_WRITER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from dcplan.planner.export import write_atomic\n"
    "def write(tmp):\n"
    "    tmp.write_text('partial')\n"
    "    print('writing', flush=True)\n"
    "    time.sleep(60)\n"
    "write_atomic(Path(sys.argv[1]), write, force=True)\n"
)


def _start_writer(target: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    return proc


def test_a_writer_killed_with_sigkill_is_cleaned_up_by_the_next_write(tmp_path):
    target = tmp_path / "plan.json"
    target.write_text("old")
    killed = _start_writer(target)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(10)
    leftovers = [n for n in listing(tmp_path) if n.startswith(STAGING_PREFIX)]
    assert len(leftovers) == 1 and str(killed.pid) in leftovers[0]  # SIGKILL cannot be caught
    assert target.read_text() == "old"

    live = _start_writer(tmp_path / "other.json")  # a concurrent writer still at work
    try:
        live_dirs = {n for n in listing(tmp_path) if n.startswith(STAGING_PREFIX)} - set(leftovers)
        assert len(live_dirs) == 1
        write_atomic(tmp_path / "next.json", lambda tmp: tmp.write_text("new"), force=False)
        names = listing(tmp_path)
        assert leftovers[0] not in names, "a dead writer's staging folder must be removed"
        assert live_dirs <= set(names), "a live writer's staging folder must be left alone"
    finally:
        live.kill()
        live.wait(10)
    assert (tmp_path / "next.json").read_text() == "new"


def test_only_our_own_stale_folders_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    ours = tmp_path / f"{STAGING_PREFIX}{export._host()}-{pid}-0123abcd.tmp"
    ours.mkdir()
    (ours / "plan.json").write_text("partial")
    old = tmp_path / f"{STAGING_PREFIX}otherhost-1-89abcdef.tmp"
    old.mkdir()
    os.utime(old, (time.time() - 2 * export.STALE_AFTER_S,) * 2)
    recent_foreign = tmp_path / f"{STAGING_PREFIX}otherhost-1-76543210.tmp"
    recent_foreign.mkdir()
    unrelated = [tmp_path / ".dcplan-notes.tmp", tmp_path / ".plan.json.abc.tmp"]
    for p in unrelated:
        p.write_text("not ours")
    removed = remove_stale_staging(tmp_path)
    assert sorted(removed) == sorted([ours, old])
    assert recent_foreign.exists() and all(p.exists() for p in unrelated)


# --- defect 29: multi-file sets -----------------------------------------------------------


def _fail_on_call(monkeypatch, name: str, n: int, exc: BaseException, module=export) -> list[int]:
    real = getattr(module, name)
    calls = [0]

    def failing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)
    return calls


def _old_set(folder: Path) -> dict[str, str]:
    old = {"plan.csv": "old bom\n", "plan-rows.csv": "old rows\n"}
    for name, text in old.items():
        (folder / name).write_text(text)
    return old


@pytest.mark.parametrize("failing_file", [1, 2])
def test_csv_set_is_replaced_together_or_not_at_all_on_a_full_disk(small_plan, tmp_path, monkeypatch, failing_file):
    old = _old_set(tmp_path)
    _fail_on_call(monkeypatch, "_write_bytes", failing_file, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with pytest.raises(DcplanError, match=r"cannot write: no space left on device$"):
        write_plan(small_plan, tmp_path / "plan.csv", force=True)
    assert {n: (tmp_path / n).read_text() for n in listing(tmp_path)} == old


@pytest.mark.parametrize("exc", [OSError(errno.EIO, "Input/output error"), KeyboardInterrupt()])
def test_csv_set_is_rolled_back_when_the_second_rename_fails(small_plan, tmp_path, monkeypatch, exc):
    old = _old_set(tmp_path)
    _fail_on_call(monkeypatch, "replace", 2, exc, module=export.os)
    with pytest.raises((DcplanError, KeyboardInterrupt)):
        write_plan(small_plan, tmp_path / "plan.csv", force=True)
    monkeypatch.undo()
    assert {n: (tmp_path / n).read_text() for n in listing(tmp_path)} == old


def test_new_csv_set_is_not_half_written(small_plan, tmp_path, monkeypatch):
    _fail_on_call(monkeypatch, "link", 2, OSError(errno.EIO, "Input/output error"), module=export.os)
    with pytest.raises(DcplanError, match="cannot write: input/output error"):
        write_plan(small_plan, tmp_path / "plan.csv")
    monkeypatch.undo()
    assert listing(tmp_path) == []


@pytest.mark.parametrize(("ext", "nth"), [("xlsx", 1), ("md", 1), ("md", 4)])
def test_full_disk_is_one_line_and_leaves_no_orphans(small_json, tmp_path, monkeypatch, capsys, ext, nth):
    _fail_on_call(monkeypatch, "_write_bytes", nth, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    target = tmp_path / f"plan.{ext}"
    code, _, err = run(capsys, "export", small_json, "-o", target)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"dcplan: error: {tmp_path / 'plan'}")  # the file that could not be written
    assert lines[0].endswith(": cannot write: no space left on device"), err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert listing(tmp_path) == []  # no orphan SVGs, no temporaries


# --- defect 29: --force keeps the mode and writes through symlinks --------------------------


def test_force_keeps_the_target_mode(small_json, tmp_path, capsys):
    target = tmp_path / "plan.svg"
    target.write_text("old")
    target.chmod(0o600)
    code, _, err = run(capsys, "export", small_json, "-o", target, "--force")
    assert code == 0, err
    assert target.read_text().startswith("<svg")
    assert (target.stat().st_mode & 0o777) == 0o600
    new = tmp_path / "new.svg"
    code, _, _ = run(capsys, "export", small_json, "-o", new)
    assert code == 0 and (new.stat().st_mode & 0o777) == 0o666 & ~export._umask()


def test_force_writes_through_a_symlink_and_keeps_it(small_json, tmp_path, capsys):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "floor.svg"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    code, _, err = run(capsys, "export", small_json, "-o", link)
    assert code == 2 and "already exists" in err and real.read_text() == "old"
    code, _, err = run(capsys, "export", small_json, "-o", link, "--force")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("<svg") and (real.stat().st_mode & 0o777) == 0o640
    assert listing(tmp_path) == ["link.svg", "real"] and listing(real_dir) == ["floor.svg"]

    dangling = tmp_path / "dangling.svg"
    dangling.symlink_to(tmp_path / "nowhere.svg")
    code, _, err = run(capsys, "export", small_json, "-o", dangling)
    assert code == 2 and "already exists" in err
    assert not (tmp_path / "nowhere.svg").exists()


def test_commit_files_refuses_an_existing_file_atomically(tmp_path):
    (tmp_path / "b.txt").write_text("keep")
    with pytest.raises(DcplanError, match=r"b\.txt: already exists"):
        commit_files({tmp_path / "a.txt": b"a", tmp_path / "b.txt": b"b"}, force=False)
    assert listing(tmp_path) == ["b.txt"] and (tmp_path / "b.txt").read_text() == "keep"


def test_create_only_without_hard_links_is_still_exclusive(tmp_path, monkeypatch):
    """A file system without hard links (EPERM from link): the name is claimed with O_EXCL instead."""

    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(export.os, "link", no_links)
    target = tmp_path / "plan.json"
    write_atomic(target, lambda tmp: tmp.write_text("first"), force=False)
    assert target.read_text() == "first" and (target.stat().st_mode & 0o777) == 0o666 & ~export._umask()

    raced = tmp_path / "raced.json"

    def write_while_another_creates_it(tmp: Path) -> None:
        tmp.write_text("ours")
        raced.write_text("theirs")  # another writer gets there between our check and our create

    with pytest.raises(DcplanError, match="already exists"):
        write_atomic(raced, write_while_another_creates_it, force=False)
    monkeypatch.undo()
    assert raced.read_text() == "theirs"
    assert listing(tmp_path) == ["plan.json", "raced.json"]
