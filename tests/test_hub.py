"""numtorch.hub: cache directories, downloads from a local HTTP server, checkpoints from URLs,
hubconf.py entry points from local directories and from a pre-populated GitHub cache."""

from __future__ import annotations

import doctest
import hashlib
import http.server
import io
import os
import sys
import threading
import zipfile
from functools import partial

import pytest

import numtorch
from numtorch import hub


@pytest.fixture(autouse=True)
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.delenv("TORCH_HUB", raising=False)
    monkeypatch.delenv("TORCH_MODEL_ZOO", raising=False)
    monkeypatch.setattr(hub, "_hub_dir", None)
    # the fake repositories' helper module must be imported afresh from each of them
    monkeypatch.delitem(sys.modules, "helper_mod", raising=False)
    yield home
    sys.modules.pop("helper_mod", None)


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/www on localhost; yields (base_url, www dir, request log)."""
    www = tmp_path / "www"
    www.mkdir()
    log: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet, but remember what was asked
            log.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", www, log
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


# -- directories ---------------------------------------------------------------------------


def test_get_dir_defaults(torch_home, monkeypatch):
    assert hub.get_dir() == os.path.join(str(torch_home), "hub")
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert hub.get_dir() == "/xdg/torch/hub"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert hub.get_dir() == os.path.expanduser("~/.cache/torch/hub")


def test_get_dir_same_as_torch(monkeypatch, tmp_path):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    for env in ({"TORCH_HOME": str(tmp_path / "a")}, {"XDG_CACHE_HOME": str(tmp_path / "b")}, {}):
        monkeypatch.delenv("TORCH_HOME", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        assert hub.get_dir() == torch.hub.get_dir()
        assert hub._get_torch_home() == torch.hub._get_torch_home()


def test_set_dir_and_deprecated_env(monkeypatch, tmp_path):
    hub.set_dir(tmp_path / "mine")
    assert hub.get_dir() == str(tmp_path / "mine")
    hub.set_dir("~/x")
    assert hub.get_dir() == os.path.expanduser("~/x")
    monkeypatch.setenv("TORCH_HUB", "1")
    with pytest.warns(UserWarning, match="TORCH_HUB is deprecated"):
        hub.get_dir()


# -- downloads -----------------------------------------------------------------------------


def test_download_url_to_file(server, tmp_path, capsys):
    base, www, _ = server
    data = os.urandom(300_000)  # several read chunks
    (www / "blob.bin").write_bytes(data)
    dst = tmp_path / "out.bin"
    hub.download_url_to_file(f"{base}/blob.bin", str(dst), progress=False)
    assert dst.read_bytes() == data
    digest = hashlib.sha256(data).hexdigest()
    dst2 = tmp_path / "out2.bin"
    hub.download_url_to_file(f"{base}/blob.bin", str(dst2), hash_prefix=digest[:10])
    assert dst2.read_bytes() == data
    assert capsys.readouterr().err  # a progress bar was shown
    # a wrong hash: torch's message, and neither dst nor a partial file is left
    dst3 = tmp_path / "out3.bin"
    with pytest.raises(RuntimeError, match=f'invalid hash value \\(expected "abc", got "{digest}"'):
        hub.download_url_to_file(f"{base}/blob.bin", str(dst3), hash_prefix="abc", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == [
        "out.bin",
        "out2.bin",
    ]


def test_download_http_error(server, tmp_path):
    from urllib.error import HTTPError

    base, _, _ = server
    with pytest.raises(HTTPError):
        hub.download_url_to_file(f"{base}/missing.bin", str(tmp_path / "x"), progress=False)
    assert list(tmp_path.glob("x*")) == []


def test_load_state_dict_from_url(server, torch_home, capsys):
    base, www, log = server
    sd = {"weight": numtorch.arange(6.0).reshape(2, 3), "bias": numtorch.zeros(2)}
    buf = io.BytesIO()
    numtorch.save(sd, buf)
    payload = buf.getvalue()
    digest = hashlib.sha256(payload).hexdigest()
    name = f"model-{digest[:8]}.pth"
    (www / name).write_bytes(payload)

    out = hub.load_state_dict_from_url(f"{base}/{name}", progress=False, check_hash=True)
    assert list(out) == ["weight", "bias"] and numtorch.equal(out["weight"], sd["weight"])
    cached = torch_home / "hub" / "checkpoints" / name
    assert cached.exists()
    assert f'Downloading: "{base}/{name}" to {cached}' in capsys.readouterr().out
    # the cached file is used: no second request
    n = len(log)
    (www / name).unlink()
    out = hub.load_state_dict_from_url(f"{base}/{name}", progress=False)
    assert len(log) == n and numtorch.equal(out["bias"], sd["bias"])
    # file_name and model_dir
    (www / name).write_bytes(payload)
    out = hub.load_state_dict_from_url(
        f"{base}/{name}", model_dir=str(torch_home / "elsewhere"), file_name="w.pt", progress=False
    )
    assert (torch_home / "elsewhere" / "w.pt").exists()
    # check_hash with a wrong prefix in the name
    (www / "bad-0000beef.pth").write_bytes(payload)
    with pytest.raises(RuntimeError, match="invalid hash value"):
        hub.load_state_dict_from_url(f"{base}/bad-0000beef.pth", progress=False, check_hash=True)


def test_load_state_dict_from_url_legacy_zip(server, torch_home):
    base, www, _ = server
    inner = io.BytesIO()
    numtorch.save({"a": numtorch.ones(2)}, inner)
    with zipfile.ZipFile(www / "old.zip", "w") as z:
        z.writestr("old.pth", inner.getvalue())
    with pytest.warns(FutureWarning, match="Falling back to the old format < 1.6"):
        out = hub.load_state_dict_from_url(f"{base}/old.zip", progress=False)
    assert numtorch.equal(out["a"], numtorch.ones(2))
    assert (torch_home / "hub" / "checkpoints" / "old.pth").exists()


def test_load_state_dict_from_url_reads_torch_checkpoints(server):
    torch = pytest.importorskip("torch")
    base, www, _ = server
    torch.save({"w": torch.eye(2)}, www / "t.pth")
    out = hub.load_state_dict_from_url(f"{base}/t.pth", progress=False, weights_only=True)
    assert numtorch.equal(out["w"], numtorch.eye(2))


# -- hubconf.py ----------------------------------------------------------------------------

HUBCONF = '''
"""A fake hub repository."""
import numtorch
from helper_mod import width

dependencies = ["numpy"]


def tiny(n=2, *, bias=True):
    """A tiny linear model."""
    return numtorch.nn.Linear(n, width(), bias=bias)


def _private():
    return 0


not_callable = 3
'''


def _make_repo(path, hubconf=HUBCONF):
    path.mkdir(parents=True, exist_ok=True)
    (path / "hubconf.py").write_text(hubconf)
    (path / "helper_mod.py").write_text("def width():\n    return 4\n")
    return path


def test_load_local(tmp_path):
    repo = _make_repo(tmp_path / "repo")
    m = hub.load(str(repo), "tiny", 3, source="local", bias=False)
    assert isinstance(m, numtorch.nn.Linear) and m.weight.shape == (4, 3) and m.bias is None
    assert str(repo) not in sys.path  # the repo is on sys.path only while loading
    m = hub.load(str(repo), "tiny", source="LOCAL")
    assert m.in_features == 2


def test_load_local_errors(tmp_path):
    repo = _make_repo(tmp_path / "repo")
    with pytest.raises(RuntimeError, match="^Cannot find callable missing in hubconf$"):
        hub.load(str(repo), "missing", source="local")
    with pytest.raises(RuntimeError, match="^Cannot find callable not_callable in hubconf$"):
        hub.load(str(repo), "not_callable", source="local")
    with pytest.raises(ValueError, match="model should be a string of function name"):
        hub.load(str(repo), 3, source="local")
    with pytest.raises(
        ValueError, match='Unknown source: "svn". Allowed values: "github" \\| "local".'
    ):
        hub.load(str(repo), "tiny", source="svn")
    deps = _make_repo(
        tmp_path / "deps", HUBCONF.replace('["numpy"]', '["numpy", "no_such_pkg_x", "nor_this"]')
    )
    with pytest.raises(RuntimeError, match="^Missing dependencies: no_such_pkg_x, nor_this$"):
        hub.load(str(deps), "tiny", source="local")


def test_load_local_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    repo = _make_repo(tmp_path / "repo")
    deps = _make_repo(tmp_path / "deps", HUBCONF.replace('["numpy"]', '["no_such_pkg_x"]'))
    for args in ((repo, "missing"), (repo, "not_callable"), (deps, "tiny")):
        with pytest.raises(RuntimeError) as theirs:
            torch.hub.load(str(args[0]), args[1], source="local")
        with pytest.raises(RuntimeError) as ours:
            hub.load(str(args[0]), args[1], source="local")
        assert str(ours.value) == str(theirs.value)


def test_github_path_logic(monkeypatch):
    assert hub._git_archive_link("o", "n", "v1") == "https://github.com/o/n/zipball/v1"
    assert hub._parse_repo_info("owner/name:v0.1") == ("owner", "name", "v0.1")
    with pytest.raises(ValueError):
        hub._parse_repo_info("not-a-repo")


def test_parse_repo_info_offline(torch_home, monkeypatch):
    from urllib.error import URLError

    def offline(*args, **kwargs):
        raise URLError("no network")

    monkeypatch.setattr(hub, "urlopen", offline)
    with pytest.raises(RuntimeError, match="no internet connection and the repo could not be"):
        hub._parse_repo_info("owner/name")
    (torch_home / "hub" / "owner_name_master").mkdir(parents=True)
    assert hub._parse_repo_info("owner/name") == ("owner", "name", "master")
    (torch_home / "hub" / "owner_name_main").mkdir()
    assert hub._parse_repo_info("owner/name") == ("owner", "name", "main")


def test_github_cached_repo(torch_home, monkeypatch, capsys):
    def no_network(*args, **kwargs):
        raise AssertionError("the cache must be used")

    monkeypatch.setattr(hub, "urlopen", no_network)
    _make_repo(torch_home / "hub" / "someone_models_v1.0")
    m = hub.load("someone/models:v1.0", "tiny", 5, trust_repo=True)
    assert m.weight.shape == (4, 5)
    err = capsys.readouterr().err
    assert f"Using cache found in {torch_home / 'hub' / 'someone_models_v1.0'}" in err
    # an already downloaded repository counts as trusted: nothing is recorded
    assert (torch_home / "hub" / "trusted_list").read_text() == ""
    # as in PyTorch, imported callables count too
    assert hub.list("someone/models:v1.0", verbose=False) == ["tiny", "width"]
    assert capsys.readouterr().err == ""
    assert hub.help("someone/models:v1.0", "tiny") == "A tiny linear model."
    # a branch with "/" maps to "_"
    _make_repo(torch_home / "hub" / "someone_models_fix_x")
    assert "tiny" in hub.list("someone/models:fix/x", trust_repo="check")


def test_github_trust_prompt(torch_home, monkeypatch):
    monkeypatch.setattr(hub, "urlopen", lambda *a, **k: pytest.fail("no network"))
    (torch_home / "hub").mkdir(parents=True)
    answers = iter(["n", "maybe", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    with pytest.raises(Exception, match="Untrusted repository."):
        hub._check_repo_is_trusted("stranger", "repo", "stranger_repo_main", "check")
    with pytest.raises(ValueError, match="Unrecognized response maybe."):
        hub._check_repo_is_trusted("stranger", "repo", "stranger_repo_main", "check")
    hub._check_repo_is_trusted("stranger", "repo", "stranger_repo_main", "check")
    assert (torch_home / "hub" / "trusted_list").read_text() == "stranger_repo\n"
    # trusted now, and pytorch's own owners always
    hub._check_repo_is_trusted("stranger", "repo", "stranger_repo_main", "check")
    hub._check_repo_is_trusted("pytorch", "vision", "pytorch_vision_main", "check")


def test_github_download_and_extract(torch_home, server, monkeypatch):
    """The GitHub path, with github.com replaced by the local server."""
    base, www, _ = server
    with zipfile.ZipFile(www / "archive.zip", "w") as z:
        z.writestr("someone-models-abc123/", "")
        z.writestr("someone-models-abc123/hubconf.py", HUBCONF)
        z.writestr("someone-models-abc123/helper_mod.py", "def width():\n    return 7\n")
    monkeypatch.setattr(hub, "_git_archive_link", lambda o, n, ref: f"{base}/archive.zip")
    m = hub.load("someone/models:dev", "tiny", trust_repo=True, skip_validation=True)
    assert m.weight.shape == (7, 2)
    assert (torch_home / "hub" / "trusted_list").read_text() == "someone_models\n"
    repo_dir = torch_home / "hub" / "someone_models_dev"
    assert (repo_dir / "hubconf.py").exists()
    assert not (torch_home / "hub" / "dev.zip").exists()
    assert not (torch_home / "hub" / "someone-models-abc123").exists()
    # force_reload downloads again over the cache
    (repo_dir / "stale.txt").write_text("x")
    hub.load("someone/models:dev", "tiny", force_reload=True, skip_validation=True)
    assert not (repo_dir / "stale.txt").exists()


def test_safe_extract_refuses_traversal(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../evil.txt", "x")
    with zipfile.ZipFile(buf) as z:
        with pytest.raises(ValueError, match="directory traversal"):
            hub._safe_extract_zip(z, str(tmp_path / "out"))


def test_docstrings():
    result = doctest.testmod(hub, extraglobs={"numtorch": numtorch})
    assert result.failed == 0
