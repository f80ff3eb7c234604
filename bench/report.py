#!/usr/bin/env python3
"""Turn bench/run's raw rows (TSV) into the one markdown table it prints.

Usage: report.py [--targets T.tsv] ROWS.tsv FACTS.md      -> the summary table (markdown) on stdout
       report.py [--targets T.tsv] --per-round ROWS.tsv  -> every measured run, one line each
Each TSV line: kind target round rps p50_ms p99_ms cpu_us hwm_mib requests errors note
kind is h1 (wrk), h2 (h2load) or idle (idle_conns.py; see run for its columns).
T.tsv (written by bench/run from its list of Bulwark variants): "target<TAB>label[<TAB>base<TAB>goal]"
per line, in table order; targets missing from it follow in the order they ran, labelled by their
name. base: the Bulwark row the "ratio to Bulwark plain" column of this row compares with (its fair
plain row: same method and body; empty = bulwark-plain); goal: the issue's target for that ratio
(>= goal), listed under the table as met or missed.
"""

import re
import sys
from collections import OrderedDict

# used when no --targets file is given
ORDER = ["upstream-direct", "nginx", "haproxy", "bulwark-plain", "bulwark-full"]
LABEL = {
    "upstream-direct": "upstream direct (plain HTTP, reference)",
    "nginx": "nginx TLS proxy",
    "haproxy": "HAProxy TLS proxy",
    "bulwark-plain": "Bulwark, plain route",
    "bulwark-full": "Bulwark, full defaults",
}
PLAIN = "bulwark-plain"  # the baseline of the "ratio to Bulwark plain" column
BASE = {}   # target -> its own baseline when it is not PLAIN (from --targets)
GOAL = {}   # target -> the target for its ratio to its baseline (from --targets)
PROTO = {"h1": "HTTP/1.1 (wrk)", "h2": "HTTP/2 (h2load)", "idle": "idle TLS conns"}


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def rng(values, fmt):
    vals = [v for v in values if v is not None]
    if not vals:
        return "n/a"
    lo, hi = min(vals), max(vals)
    if fmt.format(lo) == fmt.format(hi):
        return fmt.format(lo)
    return fmt.format(lo) + "–" + fmt.format(hi)


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 11:
                rows.append(parts)
    return rows


def per_round(rows):
    """Every measured run on its own line, in the order it ran."""
    out = ["### Every measured run", "",
           "| row | protocol | round | req/s | p50 ms | p99 ms | CPU µs/req | VmHWM MiB | requests | errors |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for kind, target, rnd, rps, p50, p99, cpu, hwm, reqs, errs, _ in rows:
        if kind == "idle":
            continue
        out.append(f"| {LABEL.get(target, target)} | {PROTO[kind]} | {rnd} | {rps} | {p50} | {p99} "
                   f"| {cpu} | {hwm} | {reqs} | {errs} |")
    return "\n".join(out)


def read_targets(path):
    ORDER.clear()
    LABEL.clear()
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0]:
                ORDER.append(parts[0])
                LABEL[parts[0]] = parts[1]
                if len(parts) >= 3 and parts[2]:
                    BASE[parts[0]] = parts[2]
                if len(parts) >= 4 and parts[3]:
                    GOAL[parts[0]] = float(parts[3])


def ratios(sel, base_rps):
    """req/s of each run in sel divided by the baseline's req/s in the same (protocol, round)."""
    out = []
    for r in sel:
        base = base_rps.get((r[0], r[2]))
        v = num(r[3])
        out.append(v / base if (base and v is not None) else None)
    return out


def merge_notes(sel):
    """One note per row: repeated parts once, per-round figures as a range or per round."""
    parts, log_lines, jit = [], [], []
    for r in sel:
        for part in filter(None, (p.strip() for p in r[10].split(";"))):
            if part.startswith("access log ") and part.endswith(" lines"):
                log_lines.append(int(part.split()[2]))
            elif part.startswith("JIT compiling during the run: "):
                m = re.search(r"(\d+)% of its CPU \(([\d.]+) us/req", part)
                jit.append(f"{m.group(1)}% of its CPU in round {r[2]} ({m.group(2)} µs/req without the JIT threads)"
                           if m else part)
            elif part not in parts:
                parts.append(part)
    if log_lines:
        lo, hi = min(log_lines), max(log_lines)
        parts.append(f"access log {lo}{'' if lo == hi else '–' + str(hi)} lines per run")
    if jit:
        parts.append("JIT still compiling: " + ", ".join(jit))
    return "; ".join(parts)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--targets"]:
        read_targets(args[1])
        args = args[2:]
    if args[0] == "--per-round":
        print(per_round(read_rows(args[1])))
        return
    rows_path, facts_path = args[0], args[1]
    rows = read_rows(rows_path)
    # requests/s and CPU/req of every row per (kind, round), for per-round ratios to nginx and to
    # each Bulwark row's baseline (bulwark-plain, or its own fair plain row)
    nginx_rps, rps_of, cpu_of = {}, {}, {}
    for kind, target, rnd, rps, _p50, _p99, cpu, *_ in rows:
        if kind in ("h1", "h2"):
            if target == "nginx":
                nginx_rps[(kind, rnd)] = num(rps)
            rps_of.setdefault(target, {})[(kind, rnd)] = num(rps)
            cpu_of.setdefault(target, {})[(kind, rnd)] = num(cpu)
    goals = []

    order = list(ORDER)
    for r in rows:
        if r[1] not in order:
            order.append(r[1])
    groups = OrderedDict()
    for kind in ("h1", "h2", "idle"):
        for target in order:
            sel = [r for r in rows if r[0] == kind and r[1] == target]
            if sel:
                groups[(kind, target)] = sel

    out = []
    with open(facts_path) as f:
        out.append(f.read().rstrip())
    out.append("")
    out.append("| row | protocol | req/s | ratio to nginx | ratio to Bulwark plain | p50 ms | p99 ms "
               "| proxy CPU µs/req | peak RSS MiB | errors | notes |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for (kind, target), sel in groups.items():
        label = LABEL.get(target, target)
        if kind == "idle":
            # idle: rps=opened, p50=open_at_end, p99=rss_before_mib, cpu=rss_held_mib, hwm, requests=requested
            r = sel[-1]
            opened, open_end, before, held, hwm, requested, errors, note = (
                r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10])
            out.append(f"| {label} | {PROTO[kind]} | — | — | — | — | — | — | {held} (held) "
                       f"| {errors} | {open_end}/{requested} open while sampled; RSS before {before} MiB, "
                       f"peak {hwm} MiB{('; ' + note) if note else ''} |")
            continue
        rps = [num(r[3]) for r in sel]
        notes = merge_notes(sel)
        base_t = BASE.get(target, PLAIN)
        base_name = LABEL.get(base_t, base_t)
        if target.startswith("bulwark-") and target != PLAIN:
            # CPU per request moves much less between rounds than req/s: the steadier cost figure
            cpu_ratio = []
            for r in sel:
                base, v = cpu_of.get(base_t, {}).get((kind, r[2])), num(r[6])
                cpu_ratio.append(v / base if (base and v is not None) else None)
            if base_t != PLAIN:
                notes = (notes + "; " if notes else "") + f"ratios vs {base_name} (same request)"
            if any(c is not None for c in cpu_ratio):
                notes = (notes + "; " if notes else "") + \
                    f"CPU/req {rng(cpu_ratio, '{:.2f}')}× {'Bulwark plain' if base_t == PLAIN else 'that row'}'s"
        if target == PLAIN:
            vs_plain = "1.00"
        elif target.startswith("bulwark-"):
            rs = ratios(sel, rps_of.get(base_t, {}))
            vs_plain = rng(rs, "{:.2f}")
            if target in GOAL:
                got = [x for x in rs if x is not None]
                verdict = ("not measured (no " + base_t + " row)" if not got else
                           "met" if min(got) >= GOAL[target] else
                           "missed" if max(got) < GOAL[target] else "met in some rounds only")
                goals.append(f"- {label}, {PROTO[kind]}: {vs_plain}× {base_name} "
                             f"(target ≥ {GOAL[target]:.2f}: {verdict})")
        else:
            vs_plain = "—"
        errors = [r[9] for r in sel]
        err = "0" if all(e == "0" for e in errors) else " / ".join(errors)
        out.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            label, PROTO[kind], rng(rps, "{:.0f}"),
            "1.00" if target == "nginx" else rng(ratios(sel, nginx_rps), "{:.2f}"), vs_plain,
            rng([num(r[4]) for r in sel], "{:.2f}"), rng([num(r[5]) for r in sel], "{:.2f}"),
            rng([num(r[6]) for r in sel], "{:.1f}"), rng([num(r[7]) for r in sel], "{:.0f}"),
            err, notes))
    if goals:
        out += ["", "Issue targets (req/s ratio to the row's fair plain row, same round and protocol; "
                "noisy — read the CPU/req ratios in the notes too):", ""] + goals
    print("\n".join(out))


if __name__ == "__main__":
    main()
