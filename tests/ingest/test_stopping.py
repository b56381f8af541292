"""What stops an OpenMetadata client's requests from outside (omkit_sagemaker.ingest.stopping):
one Cancel stops every client enrolled in its block, at once and for good, with the first reason,
and clients made later or on another thread are stopped only as the block says."""

from __future__ import annotations

import threading

from omkit_sagemaker.ingest.stopping import Cancel, cancelled_by, enrol


class Client:
    """A client that notes why it was stopped."""

    def __init__(self) -> None:
        self.stopped: list[str] = []

    def stop(self, reason: str) -> None:
        self.stopped.append(reason)


def test_every_client_enrolled_in_the_block_is_stopped_once_with_the_first_reason() -> None:
    cancel = Cancel()
    inside, outside = Client(), Client()
    with cancelled_by(cancel):
        enrol(inside)
    enrol(outside)
    cancel.cancel("interrupted (SIGINT)")
    cancel.cancel("terminated (SIGTERM)")
    assert inside.stopped == ["interrupted (SIGINT)"]
    assert outside.stopped == []
    assert cancel.reason == "interrupted (SIGINT)"


def test_a_client_added_after_the_cancel_is_stopped_at_once() -> None:
    cancel = Cancel()
    cancel.cancel("interrupted")
    late = Client()
    with cancelled_by(cancel):
        enrol(late)
    assert late.stopped == ["interrupted"]


def test_each_thread_has_its_own_block_and_blocks_nest() -> None:
    outer, inner = Cancel(), Cancel()
    mine, nested, other = Client(), Client(), Client()
    with cancelled_by(outer):
        with cancelled_by(inner):
            enrol(nested)
        enrol(mine)  # the outer block again
        thread = threading.Thread(target=enrol, args=(other,))  # no block on that thread
        thread.start()
        thread.join()
    inner.cancel("inner")
    outer.cancel("outer")
    assert (mine.stopped, nested.stopped, other.stopped) == (["outer"], ["inner"], [])
