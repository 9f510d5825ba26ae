"""Strategy archetypes: new warriors drawn from parametrised skeletons of the strategies the
Core War literature describes, as a prior for offline evolution (random code rarely finds them).

Each archetype is a function (rng, settings, **fixed) -> Redcode source with EQU constants,
labels, `;name`, `;strategy` and `;component KIND` markers (see `components`). Parameters
(steps, first targets, bomb types, lengths, distances) are drawn from the rng unless fixed by
keyword; steps come from the optima tables of `steps` for the core size at hand, with a
modulus and first target chosen so that bombs and scans never land on the warrior itself
when the core size allows it. `DEFAULT_PARAMETERS[kind]` fixes one deterministic instance per
archetype (`default_instance`), the baseline evolution has to improve on.

The skeletons are written from the published strategy descriptions (stone, paper, scanner,
core clear, imp spiral, quickscan, vampire), not from any particular warrior.
"""
from __future__ import annotations

from math import gcd
from typing import Callable

import numpy as np

from .components import Component, Line, Program, first_target, pick, safe_modulus
from .settings import Settings
from .steps import moduli, optima_steps


class Params:
    """Parameter draws that a caller can pin by name (`fixed`)."""

    def __init__(self, rng: np.random.Generator, fixed: dict):
        self.rng, self.fixed = rng, dict(fixed)

    def get(self, name: str, draw: Callable[[], object]):
        return self.fixed[name] if name in self.fixed else draw()

    def choice(self, name: str, options):
        return self.get(name, lambda: pick(self.rng, list(options)))

    def integer(self, name: str, low: int, high: int) -> int:
        return int(self.get(name, lambda: int(self.rng.integers(low, high + 1))))

    def chance(self, name: str, p: float) -> bool:
        return bool(self.get(name, lambda: self.rng.random() < p))


class Aim:
    """A pointer's step and first target, chosen once the program is laid out: a modulus with a
    residue no cell of the program has (relative to the pointer), an optima step of that
    modulus and a first target of that residue beyond the program."""

    def __init__(self, params: Params, prefix: str, coresize: int, pointer: str, safe: bool = True):
        self.params, self.prefix, self.coresize, self.pointer = params, prefix, coresize, pointer
        self.safe = safe            # False: any small modulus (the code checks for itself instead)
        self._choice = None

    def choose(self, program: Program) -> tuple[int, int, int]:
        if self._choice is None:
            base = program.address(self.pointer)
            offsets = [i - base for i in program.live_cells()]
            rng, size = self.params.rng, self.coresize
            if self.safe:
                mod, residue = self.params.get(f"{self.prefix}mod", lambda: safe_modulus(rng, size, offsets))
            else:
                mod, residue = self.params.get(f"{self.prefix}mod", lambda: (pick(rng, moduli(size, 8)), 0))
            rank = self.params.get(f"{self.prefix}step_rank", lambda: int(rng.integers(16)))
            table = optima_steps(size, mod, 16, min_step=2 * len(program)) or optima_steps(size, 1, 16)
            step = table[min(rank, len(table) - 1)] if table else 1
            if self.params.chance(f"{self.prefix}step_negative", 0.5):
                step = size - step
            first = first_target(size, mod, residue, len(program) - base) - step
            self._choice = (mod, step % size, first % size)
        return self._choice

    def step(self, program):
        return self.choose(program)[1]

    def first(self, program):
        return self.choose(program)[2]

    def mod(self, program):
        return self.choose(program)[0]


def L(label, op, a, b="0"):
    return Line(label, op, str(a), str(b))


# ---- components ------------------------------------------------------------------------------

def bomber(p: Params, s: Settings, next_label: str | None = None, x: str = "st") -> Component:
    """Stone: add a step to a pointer and drop a bomb through it, forever or for one lap of its
    residue class, then jump to `next_label` (a core clear)."""
    aim = Aim(p, f"{x}_", s.coresize, f"{x}_ptr")
    bomb = p.choice("bomb", ["dat", "spl", "dat_inc"])
    bomb_line = {"dat": L(f"{x}_bomb", "dat.f", "#0", "#0"), "spl": L(f"{x}_bomb", "spl.b", "#0", "#0"),
                 "dat_inc": L(f"{x}_bomb", "dat.f", ">1", ">1")}[bomb]
    order = p.choice("order", ["add-mov", "mov-add"])
    step_line = L("", "add.ab", f"#{x.upper()}STEP", f"{x}_ptr")
    drop_line = L("", "mov.i", f"{x}_bomb", f"@{x}_ptr")
    body = [step_line, drop_line] if order == "add-mov" else [drop_line, step_line]
    body[0].label = f"{x}_loop"
    lines = [L(f"{x}_ptr", "dat.f", "#0", f"#{x.upper()}FIRST"), *body]
    if next_label:
        lines += [L("", "djn.b", f"{x}_loop", f"#{x.upper()}COUNT"), L("", "jmp.b", next_label, "0")]
    else:
        gate = f"<{x}_ptr-1" if p.chance("gate", 0.7) else "0"      # an imp gate, as in the clear
        lines.append(L("", "jmp.b", f"{x}_loop", gate))
    lines.append(bomb_line)
    equs = {f"{x.upper()}STEP": aim.step, f"{x.upper()}FIRST": aim.first,
            f"{x.upper()}COUNT": lambda prog: max(1, s.coresize // aim.mod(prog) - 1)}
    return Component("bomber", lines, f"{x}_loop", equs)


def core_clear(p: Params, s: Settings, x: str = "cl") -> Component:
    """SPL/DAT core clear (or a DAT-only d-clear): a pointer in front of a two-line loop that
    writes bombs over the core, ever forward. When it comes round to its own pointer it
    overwrites it with the bomb, whose fields restart the sweep after the clear and (for the
    SPL pass) select the DAT bomb from then on: the clear never reaches its own loop."""
    spl_pass = p.chance("spl_pass", 0.7)
    first = f"{x}_spl" if spl_pass else f"{x}_dat"
    size = 5 if spl_pass else 4
    advance = p.choice("advance", [">", ">", "}"])        # B- or A-post-increment sweeps
    ptr_fields = (f"#{first}-{x}_ptr", f"#{size}") if advance == ">" else (f"#{size}", f"#{first}-{x}_ptr")
    read = "@" if advance == "}" else "*"
    bomb_fields = lambda: (f"#{x}_dat-{x}_ptr", f"#{size}") if advance == ">" else (f"#{size}", f"#{x}_dat-{x}_ptr")
    # Imp gate: the jump decrements the cell in front of the clear, so an imp crawling in from
    # below stops there (its MOV 0, 1 turns into MOV 0, 0) instead of overrunning the loop.
    gate = f"<{x}_ptr-1" if p.chance("gate", 0.7) else "0"
    lines = [L(f"{x}_ptr", "dat.f", *ptr_fields),
             L(f"{x}_loop", "mov.i", f"{read}{x}_ptr", f"{advance}{x}_ptr"),
             L("", "jmp.b", f"{x}_loop", gate)]
    if spl_pass:
        lines.append(L(f"{x}_spl", "spl.b", *bomb_fields()))
    lines.append(L(f"{x}_dat", "dat.f", *bomb_fields()))
    return Component("clear", lines, f"{x}_loop")


def cmp_scanner(p: Params, s: Settings, handover: str | None, next_label: str | None,
                x: str = "sc") -> Component:
    """CMP/SEQ scanner: compare two cells GAP apart, move both by a step; on a difference that
    is not itself (SLT against its own extent) bomb both and resume, or hand their address
    to a core clear (`handover`, the clear's prefix). After COUNT steps: `next_label`."""
    aim = Aim(p, f"{x}_", s.coresize, f"{x}_ptr", safe=False)
    X = x.upper()
    lines = [L(f"{x}_ptr", "seq.i", f"{X}FIRST", f"{X}FIRST+{X}GAP"),
             L("", "jmp.b", f"{x}_hit", "0"),
             L(f"{x}_loop", "add.f", f"{x}_inc", f"{x}_ptr"),
             L("", "djn.b", f"{x}_ptr", f"#{X}COUNT"),
             L("", "jmp.b", next_label or f"{x}_loop", "0"),
             L(f"{x}_hit", "slt.ab", f"#{X}SELF+{X}GAP", f"{x}_ptr"),
             L("", "jmp.b", f"{x}_loop", "0")]
    attack = _attack(p, x, handover, both=True)
    attack[0].label = ""
    lines += attack + [L(f"{x}_inc", "dat.f", f"#{X}STEP", f"#{X}STEP")]
    gap_units = p.integer("gap_units", 1, 4)
    equs = {f"{X}STEP": aim.step, f"{X}FIRST": aim.first,
            f"{X}GAP": lambda prog: aim.mod(prog) * gap_units,
            f"{X}SELF": lambda prog: len(prog) - prog.address(f"{x}_ptr"),
            f"{X}COUNT": lambda prog: max(1, s.coresize // aim.mod(prog))}
    return Component("scanner", lines, f"{x}_loop", equs)


def b_scanner(p: Params, s: Settings, handover: str | None, next_label: str | None,
              x: str = "sc") -> Component:
    """B-scanner: step a pointer until the cell it points at is not empty (JMZ.F), then bomb
    it (a limited number of times, then `next_label`) or hand it to a core clear."""
    aim = Aim(p, f"{x}_", s.coresize, f"{x}_ptr", safe=False)
    X = x.upper()
    lines = [L(f"{x}_ptr", "dat.f", "#0", f"#{X}FIRST"),
             L(f"{x}_loop", "add.ab", f"#{X}STEP", f"{x}_ptr"),
             L("", "jmz.f", f"{x}_loop", f"@{x}_ptr"),
             L("", "slt.ab", f"#{X}SELF", f"{x}_ptr"),          # found itself: scan on
             L("", "jmp.b", f"{x}_loop", "0")]
    attack = _attack(p, x, handover, both=False, next_label=next_label)
    attack[0].label = ""
    lines += attack
    equs = {f"{X}STEP": aim.step, f"{X}FIRST": aim.first, f"{X}HITS": p.integer("hits", 1, 6),
            f"{X}SELF": lambda prog: len(prog) - prog.address(f"{x}_ptr")}
    return Component("scanner", lines, f"{x}_loop", equs)


def _attack(p: Params, x: str, handover: str | None, both: bool, next_label: str | None = None):
    X = x.upper()
    if handover:
        back = p.integer("back", 0, 4)          # the clear starts a little before the find
        source = "mov.ab" if both else "mov.b"
        return [L(f"{x}_hit", source, f"{x}_ptr", f"{handover}_ptr"),
                L("", "add.ab", f"#{x}_ptr-{handover}_ptr-{back}", f"{handover}_ptr"),
                L("", "jmp.b", f"{handover}_loop", "0")]
    bomb = p.choice("scan_bomb", ["spl", "spl", "dat"])
    bomb_line = L(f"{x}_bomb", "spl.b" if bomb == "spl" else "dat.f", "#0", "#0")
    if both:
        return [L(f"{x}_hit", "mov.i", f"{x}_bomb", f"*{x}_ptr"),
                L("", "mov.i", f"{x}_bomb", f"@{x}_ptr"),
                L("", "jmp.b", f"{x}_loop", "0"), bomb_line]

    # A B-scanner's bomb is not empty to JMZ.F, so a later lap finds its own bombs again and
    # spends the hit budget: it reaches the clear even against warriors it cannot see.
    bomb_line.b = "#1"
    return [L(f"{x}_hit", "mov.i", f"{x}_bomb", f"@{x}_ptr"),
            L("", "djn.b", f"{x}_loop", f"#{X}HITS"),
            L("", "jmp.b", next_label or f"{x}_loop", "0"), bomb_line]


def quickscan(p: Params, s: Settings, next_label: str | None = None, x: str = "qs") -> Component:
    """Quickscan prefix: compare pairs of far cells (SEQ) once each; remember the last pair that
    differed, bomb around both of its cells, then go on to the main body (`next_label`, or
    the instruction after the block)."""
    X = x.upper()
    probes = p.integer("probes", 2, 6)
    span = s.coresize - 2 * s.mindistance
    gap = max(1, span // (2 * probes))
    jitter = p.get("probe_jitter", lambda: float(p.rng.uniform(0.2, 0.8)))
    back = p.integer("qs_back", 0, 4)
    n_bombs = p.integer("qs_bombs", 4, 16)
    bomb = p.choice("qs_bomb", ["spl", "dat"])
    lines = [L(f"{x}_ptr", "dat.f", "#0", "#0"),
             L(f"{x}_bomb", "spl.b" if bomb == "spl" else "dat.f", "#0", "#0")]
    equs: dict = {f"{X}GAP": gap, f"{X}N": n_bombs}
    for k in range(probes):
        # Both cells of a pair lie in [mindistance, CORESIZE - mindistance]: never the warrior itself.
        equs[f"{X}X{k}"] = s.mindistance + int((span - gap) * (k + jitter) / probes)
        lines += [L(f"{x}_p{k}", "seq.i", f"{X}X{k}", f"{X}X{k}+{X}GAP"),
                  L("", "mov.ab", f"#{x}_p{k}-{x}_ptr+{X}X{k}-{back}", f"{x}_ptr")]
    after = next_label or f"{x}_last+1"
    lines += [L("", "jmz.b", after, f"{x}_ptr"),
              L("", "mov.ba", f"{x}_ptr", f"{x}_ptr"),
              L("", "add.ab", f"#{X}GAP", f"{x}_ptr"),
              L(f"{x}_atk", "mov.i", f"{x}_bomb", f"}}{x}_ptr"),
              L("", "mov.i", f"{x}_bomb", f">{x}_ptr"),
              L(f"{x}_last", "djn.b", f"{x}_atk", f"#{X}N")]
    if next_label:
        lines.append(L("", "jmp.b", next_label, "0"))
    return Component("quickscan", lines, f"{x}_p0", equs, transient=True)


def spl_fan(p: Params, s: Settings, x: str = "fa") -> Component:
    """SPL fan-out: each SPL 1 doubles the processes that fall through to what follows."""
    n = p.integer("fan", 1, 4)
    lines = [L(f"{x}_{i}", "spl.b", f"{x}_{i}+1", "0") for i in range(n)]
    return Component("fan", lines, f"{x}_0", transient=True)


def paper(p: Params, s: Settings, x: str = "pa") -> Component:
    """Silk-style replicator: every process of a fan runs SPL to the copy's place, then copies
    one cell with post-incrementing pointers, so the copy fills while its new processes
    start to run it; optional bombing lines follow, then (usually) a loop back for the next
    copy; the last cell is the bomb."""
    X = x.upper()
    extra = p.integer("paper_bombs", 0, 2)
    lines = [L(f"{x}_top", "spl.b", f"@{x}_top", f"}}{X}DIST"),
             L("", "mov.i", f"}}{x}_top", f">{x}_top")]
    dist = p.get("paper_dist", lambda: int(p.rng.integers(s.mindistance, s.coresize - s.mindistance)))
    targets = {}
    for k in range(extra):
        targets[f"{X}B{k}"] = _paper_target(p.rng, s, dist)
        lines.append(L("", "mov.i", f"{x}_bomb", f"{p.choice(f'paper_mode{k}', ['<', '>', '{'])}{X}B{k}"))
    if p.chance("paper_loop", 0.8):
        # Again and again: the copy pointer rewound to the top, the destination left where it
        # got to, so every copy makes copies (one after another) for ever.
        lines += [L("", "mov.a", "#0", f"{x}_top"), L("", "jmp.b", f"{x}_top", "0")]
    lines.append(L(f"{x}_bomb", "dat.f", ">1", ">1"))
    return Component("paper", lines, f"{x}_top", {f"{X}DIST": dist, **targets})


def _paper_target(rng, s: Settings, dist: int, margin: int = 24) -> int:
    """A bombing offset that misses the next few copies of the paper (copy j sits j * dist on),
    so that the replicator does not cut its own chain."""
    target = int(rng.integers(s.mindistance, s.coresize - s.mindistance))
    for _ in range(50):
        gaps = [(target - j * dist + margin) % s.coresize for j in range(5)]
        if min(gaps) > 2 * margin:
            return target
        target = int(rng.integers(s.mindistance, s.coresize - s.mindistance))
    return target


def imp_launcher(p: Params, s: Settings, host: str | None = None, x: str = "im") -> Component:
    """Imp spiral: an n-point imp ring (step (k*CORESIZE + 1) / n) launched by a SPL fan whose
    processes JMP through an incrementing vector to n jump cells, all in the same cycle, so
    they enter the ring points in order. With `host`, a process is first split off to it."""
    X = x.upper()
    points = p.get("points", lambda: pick(p.rng, _ring_sizes(s.coresize)))
    step = imp_step(s.coresize, points)
    fan = max(1, int(np.ceil(np.log2(points))))
    fan = p.integer("imp_fan", fan, fan + 1) if 2 ** (fan + 1) + 8 <= s.maxlength else fan
    lines = [L(f"{x}_go", "spl.b", host, "0")] if host else []
    lines += [L(f"{x}_f{i}", "spl.b", f"{x}_f{i}+1", "0") for i in range(fan)]
    lines += [L("", "jmp.a", f"}}{x}_vec", "0"), L(f"{x}_vec", "dat.f", f"#{x}_t0-{x}_vec", "#0")]
    lines += [L(f"{x}_t{i}", "jmp.a", f"{x}_imp+{X}STEP*{i % points}", "0") for i in range(2 ** fan)]
    lines.append(L(f"{x}_imp", "mov.i", f"#{p.integer('imp_a', 0, 4)}", f"{X}STEP"))
    return Component("imp", lines, f"{x}_go" if host else f"{x}_f0", {f"{X}STEP": step}, transient=True)


def imp_step(coresize: int, points: int) -> int:
    """(k * coresize + 1) / points for the k that makes it whole (points coprime to coresize)."""
    k = next(k for k in range(1, points + 1) if (k * coresize + 1) % points == 0)
    return (k * coresize + 1) // points


def _ring_sizes(coresize: int) -> list[int]:
    sizes = [n for n in (3, 7, 5, 9, 11, 13) if gcd(n, coresize) == 1]
    preferred = [n for n in sizes if n in (3, 7)]
    return preferred or sizes[:1] or [1]


def vampire(p: Params, s: Settings, next_label: str | None, x: str = "va") -> Component:
    """Vampire: drop JMP fangs along a step; each fang's A field is kept pointing at the pit
    (ADD.F moves B forward and A back by the step), where captured processes SPL and loop
    uselessly until the final clear (`next_label`) wipes them."""
    aim = Aim(p, f"{x}_", s.coresize, f"{x}_fang")
    X = x.upper()
    lines = [L(f"{x}_inc", "dat.f", f"#-{X}STEP", f"#{X}STEP"),
             L(f"{x}_loop", "add.f", f"{x}_inc", f"{x}_fang"),
             L("", "mov.i", f"{x}_fang", f"@{x}_fang"),
             L("", "djn.b", f"{x}_loop", f"#{X}COUNT"),
             L("", "jmp.b", next_label or f"{x}_loop", "0"),
             L(f"{x}_fang", "jmp.b", f"{x}_pit-{X}FIRST", f"{X}FIRST"),
             L(f"{x}_pit", "spl.b", "#0", "#0"),
             L("", "jmp.b", f"{x}_pit", "0")]
    equs = {f"{X}STEP": aim.step, f"{X}FIRST": aim.first,
            f"{X}COUNT": lambda prog: max(1, s.coresize // aim.mod(prog) - 1)}
    return Component("vampire", lines, f"{x}_loop", equs)


def decoy(p: Params, s: Settings, x: str = "de") -> Component:
    """Decoy block: never executed, non-empty cells that make scanners stop and bomb here."""
    n = p.integer("decoys", 2, 8)
    rng = p.rng
    lines = [L(f"{x}_{i}" if i == 0 else "", pick(rng, ["dat.f", "dat.f", "spl.b", "mov.i", "jmp.b"]),
               f"{pick(rng, ['$', '#', '<', '>'])}{int(rng.integers(1, s.coresize))}",
               f"{pick(rng, ['$', '#', '<', '>'])}{int(rng.integers(1, s.coresize))}") for i in range(n)]
    return Component("decoy", lines, None, transient=True)


# ---- archetypes --------------------------------------------------------------------------------

def _maybe_decoy(p: Params, s: Settings, program: Program):
    if p.chance("decoy", 0.25):
        program.components.insert(0, decoy(p, s))


def stone(rng, settings: Settings, **fixed) -> str:
    """Mov-add-jmp stone with a mod-N optima step, DAT or SPL bombs, optionally ending in a
    core clear after one lap of its residue class."""
    p = Params(rng, fixed)
    program = Program("archetype stone", "stone: bombs the core along an optima step")
    with_clear = p.chance("clear", 0.5)
    program.add(bomber(p, settings, "cl_loop" if with_clear else None))
    if with_clear:
        program.add(core_clear(p, settings))
        program.strategy += ", then an SPL/DAT core clear"
    _maybe_decoy(p, settings, program)
    return program.render(settings.coresize)


def paper_archetype(rng, settings: Settings, **fixed) -> str:
    """Silk-style paper: a SPL fan, then a self-copying body."""
    p = Params(rng, fixed)
    program = Program("archetype paper", "paper: self-replicating, SPL fan-out")
    _add_paper(p, settings, program)
    return program.render(settings.coresize)


def _add_paper(p: Params, s: Settings, program: Program):
    body = paper(p, s)
    fan = spl_fan(p, s)
    while 2 ** len(fan) < len(body):         # a process per cell to copy
        fan.lines.append(L(f"fa_{len(fan)}", "spl.b", f"fa_{len(fan)}+1", "0"))
    program.add(fan)
    program.add(body)


def _scanner_archetype(rng, settings, fixed, which: str, handover: bool) -> str:
    p = Params(rng, fixed)
    kind = p.choice("scanner", ["cmp", "b"]) if which == "any" else which
    build = cmp_scanner if kind == "cmp" else b_scanner
    name = {"cmp": "CMP/SEQ scanner", "b": "B-scanner"}[kind]
    if handover:
        program = Program(f"archetype two-phase {kind}", f"two-phase: {name}, on a find hands over to a core clear")
        program.add(build(p, settings, "cl", "cl_loop"))
    else:
        program = Program(f"archetype {kind}-scanner", f"{name}: bombs what it finds, then a core clear")
        program.add(build(p, settings, None, "cl_loop"))
    program.add(core_clear(p, settings))
    _maybe_decoy(p, settings, program)
    return program.render(settings.coresize)


def cmp_scanner_archetype(rng, settings: Settings, **fixed) -> str:
    return _scanner_archetype(rng, settings, fixed, "cmp", handover=False)


def b_scanner_archetype(rng, settings: Settings, **fixed) -> str:
    return _scanner_archetype(rng, settings, fixed, "b", handover=False)


def two_phase(rng, settings: Settings, **fixed) -> str:
    """Scan, and on the first find switch to a core clear started there."""
    return _scanner_archetype(rng, settings, fixed, "any", handover=True)


def quickscan_archetype(rng, settings: Settings, **fixed) -> str:
    """Quickscan prefix in front of a stone, a paper or a clear."""
    p = Params(rng, fixed)
    body = p.choice("body", ["stone", "paper", "clear"])
    program = Program(f"archetype quickscan {body}", f"quickscan, then {body}")
    entry = {"stone": "st_loop", "paper": "fa_0", "clear": "cl_loop"}[body]
    program.add(quickscan(p, settings, entry))
    if body == "stone":
        with_clear = p.chance("clear", 0.5)
        program.add(bomber(p, settings, "cl_loop" if with_clear else None))
        if with_clear:
            program.add(core_clear(p, settings))
    elif body == "paper":
        _add_paper(p, settings, program)
    else:
        program.add(core_clear(p, settings))
    return program.render(settings.coresize)


def clear_archetype(rng, settings: Settings, **fixed) -> str:
    """A core clear on its own (SPL/DAT or DAT-only), sometimes behind decoys."""
    p = Params(rng, fixed)
    program = Program("archetype clear", "core clear: SPL then DAT over the whole core")
    program.add(core_clear(p, settings))
    _maybe_decoy(p, settings, program)
    return program.render(settings.coresize)


def imp_archetype(rng, settings: Settings, **fixed) -> str:
    """Imp spiral, alone or launched beside a stone."""
    p = Params(rng, fixed)
    with_stone = p.chance("with_stone", 0.4)
    program = Program("archetype imp spiral", "imp spiral" + (" with a stone" if with_stone else ""))
    if with_stone:                      # first: the ring crawls forward from the imp, the last cell
        program.add(bomber(p, settings, None))
    program.add(imp_launcher(p, settings, "st_loop" if with_stone else None))
    program.start = program.components[-1].entry
    return program.render(settings.coresize)


def vampire_archetype(rng, settings: Settings, **fixed) -> str:
    p = Params(rng, fixed)
    program = Program("archetype vampire", "vampire: JMP fangs to a SPL pit, then a core clear")
    program.add(vampire(p, settings, "cl_loop"))
    program.add(core_clear(p, settings))
    return program.render(settings.coresize)


ARCHETYPES: dict[str, Callable[..., str]] = {
    "stone": stone, "paper": paper_archetype, "cmp_scanner": cmp_scanner_archetype,
    "b_scanner": b_scanner_archetype, "two_phase": two_phase, "quickscan": quickscan_archetype,
    "clear": clear_archetype, "imp": imp_archetype, "vampire": vampire_archetype,
}

# One deterministic instance per archetype: the parameters pinned, the rest drawn from seed 0.
DEFAULT_PARAMETERS: dict[str, dict] = {
    "stone": dict(gate=True, bomb="dat", order="add-mov", clear=True, spl_pass=True, advance=">", decoy=False,
                  st_step_rank=0, st_step_negative=False),
    "paper": dict(fan=3, paper_bombs=1, paper_mode0="<", paper_loop=True),
    "cmp_scanner": dict(gate=True, gap_units=1, scan_bomb="spl", spl_pass=True, advance=">", decoy=False,
                        sc_step_rank=0, sc_step_negative=False),
    "b_scanner": dict(gate=True, hits=2, scan_bomb="spl", spl_pass=True, advance=">", decoy=False,
                      sc_step_rank=0, sc_step_negative=False),
    "two_phase": dict(gate=True, scanner="cmp", gap_units=1, back=2, spl_pass=True, advance=">", decoy=False,
                      sc_step_rank=0, sc_step_negative=False),
    "quickscan": dict(gate=True, body="stone", clear=True, spl_pass=True, advance=">", probes=4, probe_jitter=0.5,
                      qs_back=2, qs_bombs=8, qs_bomb="spl",
                      bomb="dat", order="add-mov", st_step_rank=0, st_step_negative=False),
    "clear": dict(gate=True, spl_pass=True, advance=">", decoy=False),
    "imp": dict(gate=True, with_stone=False, points=None, imp_a=0, bomb="dat", order="add-mov",
                st_step_rank=0, st_step_negative=False),
    "vampire": dict(gate=True, spl_pass=True, advance=">", va_step_rank=0, va_step_negative=False),
}


def default_instance(kind: str, settings: Settings = Settings()) -> str:
    fixed = {k: v for k, v in DEFAULT_PARAMETERS[kind].items() if v is not None}
    return ARCHETYPES[kind](np.random.default_rng(0), settings, **fixed)


def instruction_count(source: str) -> int:
    """Instruction lines of a rendered archetype (one instruction per line)."""
    return sum(1 for line in source.splitlines()
               if line.strip() and not line.lstrip().startswith(";")
               and " EQU " not in line and line.split()[0].upper() not in ("ORG", "END"))


def random_archetype(rng: np.random.Generator, settings: Settings = Settings(), kinds=None) -> str:
    """A new warrior from one of `kinds` (default: all archetypes) that fits settings.maxlength."""
    kinds = list(kinds or ARCHETYPES)
    for _ in range(20):
        source = ARCHETYPES[kinds[int(rng.integers(len(kinds)))]](rng, settings)
        if instruction_count(source) <= settings.maxlength:
            return source
    return clear_archetype(rng, settings, spl_pass=False, decoy=False)
