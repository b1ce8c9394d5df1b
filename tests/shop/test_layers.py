"""The code's shape: every module of ours sits in a layer of `.importlinter` (so the layer
contract covers new modules too), the import graph has no circles, and the catalogue fork's
copies of Oscar's migrations still match the installed Oscar."""

import configparser
import filecmp
import re
from pathlib import Path

import grimp
import oscar
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("shop", "catalogue", "sellers", "logistics", "impact")
# Entry points, not imported by app code: Django loads them by name.
OUTSIDE_LAYERS = re.compile(r"^shop\.(settings|wsgi)\b|\.migrations\b")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*APPS)


def layer_modules() -> list[str]:
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    return [name.strip() for name in re.split(r"[\n|:]", layers) if name.strip()]


def ours(graph) -> list[str]:
    return sorted(m for m in graph.modules if not OUTSIDE_LAYERS.search(m))


def test_it_puts_every_module_in_a_layer(graph):
    layers = layer_modules()

    def in_a_layer(module: str) -> bool:
        return any(module == layer or module.startswith(layer + ".") for layer in layers)

    # A package's own __init__ holds nothing but app config wiring; its modules are what count.
    packages_only = {m for m in ours(graph) if graph.find_children(m) and not in_a_layer(m)}
    assert [m for m in ours(graph) if not in_a_layer(m) and m not in packages_only] == []


def test_it_has_no_import_circles(graph):
    modules = set(ours(graph))
    cycles = [
        (module, imported)
        for module in modules
        for imported in graph.find_modules_directly_imported_by(module) & modules
        if module != imported and graph.chain_exists(importer=imported, imported=module)
    ]
    assert cycles == []


def test_the_catalogue_forks_copies_of_oscars_migrations_match_the_installed_oscar():
    ours_dir = ROOT / "catalogue" / "migrations"
    oscars_dir = Path(oscar.__file__).parent / "apps" / "catalogue" / "migrations"
    copies = sorted(p.name for p in oscars_dir.glob("0*.py"))
    assert copies, "Oscar's catalogue migrations not found"
    _match, mismatch, missing = filecmp.cmpfiles(ours_dir, oscars_dir, copies, shallow=False)
    assert (mismatch, missing) == ([], [])
