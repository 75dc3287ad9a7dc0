"""Movies of a run: which steps the frames show, the snapshots a recording trains to, and
writing them as GIF or MP4.

Learning is fastest at the start, so frames are spread geometrically: frame k of n shows step
``(T + 1) ** (k / (n - 1)) - 1`` of a T-step run, rounded, and at least one step after the frame
before. Of 120 frames over 3,000 steps, the first 62 show steps 0 to 61 one by one and the last
ten cover steps 1,637 to 3,000; evenly spaced frames would show the first 25 steps in one. A
movie of a run's timeline shows its kept moments, evenly by their order (they are dense early).

GIFs are written with Pillow and MP4 (H.264) with imageio-ffmpeg (imageio's ffmpeg plugin, which
ships its own ffmpeg); both atomically, with the run's settings as a GIF comment or MP4 metadata.
"""

from __future__ import annotations

import math
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from nnviz.core.io.atomic import SaveError, write_atomically
from nnviz.core.training.protocol import TrainerLike
from nnviz.core.training.sweep import SweepSnapshot
from nnviz.core.training.trainer import TrainingSnapshot, record_last_step

MOVIE_SUFFIXES = (".gif", ".mp4")
DEFAULT_FRAMES, DEFAULT_FPS = 120, 20
FRAMES_RANGE, FPS_RANGE = (2, 2000), (1, 60)


class MovieError(ValueError):
    """A movie cannot be made as asked (an unknown extension); the message says why."""


def movie_kind(path: str | os.PathLike) -> str:
    """``"gif"`` or ``"mp4"`` from the path's extension; raises :class:`MovieError`."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in MOVIE_SUFFIXES:
        raise MovieError(f"{os.fspath(path)}: a movie is a .gif or an .mp4 file, not {suffix or 'a file without an extension'}")
    return suffix[1:]


def spread_steps(last: int, frames: int, first: int = 0) -> list[int]:
    """At most ``frames`` steps from ``first`` to ``last``, dense early (see the module docstring)."""
    span = last - first
    if frames < 2 or span <= 0:
        return [last]
    t = np.arange(frames) / (frames - 1)
    raw = np.round((span + 1.0) ** t - 1).astype(np.int64)
    steps = []
    for value in raw:
        step = first + min(span, max(int(value), steps[-1] - first + 1 if steps else 0))
        if not steps or step > steps[-1]:
            steps.append(step)
    steps[-1] = last
    return steps


def snapshots_at(trainer: TrainerLike, steps: list[int]) -> Iterator[TrainingSnapshot | SweepSnapshot]:
    """Train ``trainer`` (one network or a sweep) on to each of ``steps`` (ascending, from its
    step now) and yield a snapshot there: a movie's frames as it trains. Each snapshot's
    ``step`` is the step reached, so the snapshots' steps are the frames made.

    A snapshot never shows a network still training whose loss is not finite. A divergence (of
    the lone network, or of every network of a sweep) ends them at the step training went back
    to: its snapshot comes last, unless the one before is of that step already. The last step
    reached is in the history, as :func:`~nnviz.core.training.trainer.train` leaves it."""
    for k, step in enumerate(steps):
        trainer.step(step - trainer.step_count)
        snapshot = _settled_snapshot(trainer)
        reached = trainer.step_count
        if reached != step and k and reached <= steps[k - 1]:  # where it went back to has its snapshot already
            record_last_step(trainer)
            return
        if reached != step or k == len(steps) - 1:  # a divergence stopped it short of this step, or the last step
            record_last_step(trainer)
            yield trainer.snapshot()
            return
        yield snapshot


def _settled_snapshot(trainer: TrainerLike) -> TrainingSnapshot | SweepSnapshot:
    """The trainer's snapshot, once no network still training is at weights whose loss is not
    finite. An update that overflows is found at the next step (or log step), which a frame's
    step may come before: the figures evaluated here find it, and :meth:`record` steps back
    from it (a sweep freezes that network) as training would have."""
    snapshot = trainer.snapshot()
    lone = isinstance(snapshot, TrainingSnapshot)
    losses = [snapshot.latest.loss] if lone else [
        e.loss for e, diverged in zip(snapshot.latest, snapshot.divergences) if diverged is None]
    if all(math.isfinite(loss) for loss in losses):
        return snapshot
    step = trainer.step_count
    histories = [trainer.history] if lone else trainer.histories
    was = [len(h) for h in histories]
    trainer.record()
    for history, count in zip(histories, was):
        if len(history) > count and not history.wants(step):
            history.cut_after(step - 1)  # recorded only to find the overflow (a sweep's other networks)
    return trainer.snapshot()


def pick_moments(moment_steps: list[int], frames: int) -> list[int]:
    """Indices of ``frames`` kept moments (all of them if there are fewer), evenly by their
    order: the moments are themselves dense early, so the frames are too."""
    count = len(moment_steps)
    if count <= frames:
        return list(range(count))
    return [round(k * (count - 1) / (frames - 1)) for k in range(frames)]


def write_movie(path: str | os.PathLike, frames: Iterable[np.ndarray], fps: float,
                comment: str | Callable[[], str]) -> int:
    """Write RGB frames (``(height, width, 3)`` uint8, all one size) to ``path`` as GIF or MP4,
    atomically; returns how many were written. ``comment`` may be a function, asked once the
    frames are made (for what only they tell, like the steps of a movie cut short by a
    divergence). Raises :class:`MovieError` or :class:`SaveError`."""
    kind = movie_kind(path)
    written = []
    text = comment if callable(comment) else lambda: comment

    def write(tmp: str) -> None:
        written.append((_write_gif if kind == "gif" else _write_mp4)(tmp, frames, fps, text))

    write_atomically(path, write)
    if not written[0]:
        raise SaveError(f"Cannot save {os.fspath(path)}: there were no frames to write.")
    return written[0]


def _write_gif(tmp: str, frames: Iterable[np.ndarray], fps: float, comment: Callable[[], str]) -> int:
    from PIL import Image

    # Each frame its own palette (the first frame's lacked the colours that came later), by the fast
    # octree; no dithering, whose noise doubled the file and took ten times longer.
    images = [Image.fromarray(frame, "RGB").quantize(255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
              for frame in frames]
    if images:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps),
                       loop=0, comment=comment().encode())
    return len(images)


def _write_mp4(tmp: str, frames: Iterable[np.ndarray], fps: float, comment: Callable[[], str]) -> int:
    import imageio_ffmpeg

    count, writer, first = 0, None, ""
    try:
        for frame in frames:
            height, width = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2  # H.264 in yuv420p wants even sides
            if writer is None:
                first = comment()
                writer = imageio_ffmpeg.write_frames(
                    tmp, (width, height), fps=fps, codec="libx264", pix_fmt_in="rgb24", pix_fmt_out="yuv420p",
                    quality=7, macro_block_size=1, ffmpeg_log_level="error",
                    output_params=["-f", "mp4", "-metadata", f"comment={first}"])  # tmp has no .mp4 to go by
                writer.send(None)
            writer.send(np.ascontiguousarray(frame[:height, :width]))
            count += 1
    finally:
        if writer is not None:
            writer.close()
    if count and (last := comment()) != first:  # the frames told more: the metadata is written anew
        _retag_mp4(tmp, last)
    return count


def _retag_mp4(tmp: str, comment: str) -> None:
    """Give the MP4 at ``tmp`` another comment, copying its video as it is (raises OSError)."""
    import imageio_ffmpeg

    retagged = tmp + ".tagged"
    try:
        try:  # a stream copy takes a moment; a minute means ffmpeg hangs
            done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", tmp, "-map", "0", "-c",
                                   "copy", "-metadata", f"comment={comment}", "-f", "mp4", retagged],
                                  capture_output=True, check=False, timeout=60)
        except subprocess.TimeoutExpired:
            raise OSError("ffmpeg took over a minute to write the movie's comment") from None
        if done.returncode:
            raise OSError("ffmpeg could not write the movie's comment")
        os.replace(retagged, tmp)
    finally:
        if os.path.exists(retagged):
            os.remove(retagged)
