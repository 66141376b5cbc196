"""The human tables of a bench result, and its strict JSON file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from biocap.bench.machine import describe


def write_json(path: Path, obj: object) -> Path:
    """Strict JSON (NaN -> null, numpy scalars and arrays -> numbers), so any reader loads it."""

    def clean(x: object) -> object:
        if hasattr(x, "tolist"):  # numpy scalar or array
            x = x.tolist()
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        if isinstance(x, Path):
            return str(x)
        return x

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(clean(obj), indent=2, allow_nan=False) + "\n")
    return path


def _f(x: float | None, spec: str, width: int) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return f"{'n/a':>{width}}"
    return f"{x:{width}{spec}}"


def _machine(r: dict[str, Any]) -> list[str]:
    m = r["machine"]
    loads = [
        " ".join(f"{v:.2f}" for v in la) if la else "n/a"
        for la in (m["load_average_before"], m["load_average_after"])
    ]
    busy = m["other_processes_cores"]
    return [
        f"machine: {describe(m)}",
        f"noise: other processes kept {_f(busy, '.2f', 0).strip()} cores busy during the timed "
        f"runs (load average {loads[0]} before, {loads[1]} after)",
    ]


def _samples(mods: dict[str, Any]) -> list[str]:
    lines = ["", f"{'modality':9} {'images':>6} {'errors':>6} {'quality p50':>11}  source"]
    for m, r in mods.items():
        s = r.get("samples")
        if s is None:
            lines.append(f"{m:9} skipped: {r['skipped']}")
            continue
        q = s.get("quality", {}).get("p50")
        lines.append(
            f"{m:9} {s['count']:6d} {len(s['decode_errors']):6d} {_f(q, '.0f', 11)}  {s['source']}"
        )
        if "skipped" in r:
            lines.append(f"{'':9} skipped: {r['skipped']}")
    return lines


def _latency(mods: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "latency, decode + assess per image, one thread (ms)",
        f"{'modality':9} {'runs':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'mean':>7} | "
        f"{'decode':>6} {'assess':>6} {'cpu':>6} | {'pass p50 range':>14} {'faults':>6}",
    ]
    for m, r in mods.items():
        if "latency_ms" not in r:
            continue
        lat = r["latency_ms"]
        t, pm = lat["decode_assess"], lat["pass_p50_ms"]
        lines.append(
            f"{m:9} {lat['runs']:6d} {t['p50']:7.2f} {t['p95']:7.2f} {t['p99']:7.2f} "
            f"{t['mean']:7.2f} | {lat['decode']['p50']:6.2f} {lat['assess']['p50']:6.2f} "
            f"{lat['cpu']['p50']:6.2f} | {min(pm):6.2f}..{max(pm):6.2f} "
            f"{lat['minor_faults_per_image']:6.0f}"
        )
    lines.append("(decode, assess, cpu: p50 of each part and of process CPU time; pass p50 range:")
    lines.append(" the spread of per-pass medians, i.e. drift and noise; faults: minor page faults")
    lines.append(" per image, i.e. memory the allocator gave back to the OS and touches again)")
    return lines


def _throughput(mods: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "throughput, decode + assess (images/s; one single-threaded process per core)",
        f"{'modality':9} {'1 process':>10} {'all cores':>10} {'procs':>5} {'scaling':>8} "
        f"{'efficiency':>10} {'cpu share':>9} {'worker peak RSS':>15}",
    ]
    for m, r in mods.items():
        if "throughput" not in r:
            continue
        t = r["throughput"]
        one, every = t["single"], t["all_cores"]
        rss = max(one["peak_rss_mib"], every["peak_rss_mib"])
        lines.append(
            f"{m:9} {one['images_per_s']:10.1f} {every['images_per_s']:10.1f} "
            f"{every['processes']:5d} {t['scaling']:7.2f}x {t['efficiency']:10.0%} "
            f"{every['cpu_share']:9.0%} {rss:11.0f} MiB"
        )
    lines.append("(cpu share: CPU time / wall time per worker; below 100 % = cores shared)")
    return lines


def _stages(mods: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for m, r in mods.items():
        if "latency_ms" not in r:
            continue
        b = r.get("stages_ms")
        if b is None:
            lines += ["", f"stages, {m}: {r.get('stages_note', 'not available')}"]
            continue
        lines += [
            "",
            f"stages, {m}: {b['images']} of {r['samples']['count']} images reach the model, "
            f"{b['runs']} runs (ms per image)",
            f"  {'stage':16} {'p50':>7} {'p95':>7} {'mean':>7} {'share':>6}",
        ]
        for name, s in b["stages"].items():
            lines.append(
                f"  {name:16} {s['p50']:7.3f} {s['p95']:7.3f} {s['mean']:7.3f} {s['share']:6.1%}"
            )
        lines.append(f"  {'decode + assess':16} {'':7} {'':7} {b['decode_assess_mean_ms']:7.3f}")
    return lines


def _accuracy(acc: dict[str, Any] | None) -> list[str]:
    if acc is None:
        return ["", "accuracy: not run (--no-accuracy)"]
    lines: list[str] = []
    for m, a in acc.items():
        if "skipped" in a:
            lines += ["", f"accuracy, {m}: skipped: {a['skipped']}"]
            continue
        groups, names = a["groups"], a.get("group_labels", {})
        boot = a["n_boot"] > 0
        head = f"  {'score':40} " + " ".join(f"{names.get(g, g):>7}" for g in groups)
        head += f" {'gain':>6}"
        if boot:
            head += f"  {'pooled 95 % CI':>17}  {'paired CI vs ' + a['baseline']:>22}"
        lines += [
            "",
            f"accuracy, {m}: {a['dataset']}",
            "  EDC AUC over 0-20 % discard of genuine comparisons (lower is better); gain: "
            "share of the random-to-oracle gap closed, pooled"
            + (f"; {a['n_boot']} finger-level bootstrap resamples" if boot else ""),
            head,
        ]
        sm = a["summaries"]
        for name, by in sm.items():
            pooled = by[groups[-1]]
            row = f"  {name:40} " + " ".join(f"{by[g]['auc']:7.4f}" for g in groups)
            row += f" {pooled['gain']:6.2f}"
            if boot:
                lo, hi = pooled["ci"]
                row += f"  [{lo:.4f}, {hi:.4f}]"
                if pooled["diff_ci"] is not None:
                    dlo, dhi = pooled["diff_ci"]
                    row += f"  [{dlo:+.4f}, {dhi:+.4f}]".rjust(24)
            if name == a.get("honest"):
                row += "  <- honest number"
            lines.append(row)
        ref = sm[a["baseline"]]
        for bound in ("random", "oracle"):
            lines.append(f"  {bound:40} " + " ".join(f"{ref[g][bound]:7.4f}" for g in groups))
        lines += [f"  note: {n}" for n in a.get("notes", ())]
        fvc = a.get("fvc_not_a_fingerprint")
        if fvc:
            lines.append(f"  FVC prints given not_a_fingerprint: {len(fvc)}: {', '.join(fvc)}")
    return lines


def table(r: dict[str, Any]) -> str:
    """The human report of :func:`biocap.bench.run.run`'s result."""
    mods = r["modalities"]
    s = r["settings"]
    lines = [
        f"biocap bench {r['machine']['biocap']}  {r['started']}  "
        f"({s['duration_s']:g} s per modality: {s['latency_share']:.0%} latency, "
        f"{s['throughput_share']:.0%} each throughput run)",
        *_machine(r),
        *_samples(mods),
        *_latency(mods),
        *_stages(mods),
        *_throughput(mods),
        "",
        f"memory: peak RSS {r['memory']['self_peak_rss_mib']:.0f} MiB this process, "
        f"{r['memory']['children_peak_rss_mib']:.0f} MiB largest worker",
        *_accuracy(r["accuracy"]),
    ]
    return "\n".join(lines)
