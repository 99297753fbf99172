"""Emulated time: durations from state and faults files divided by the speed."""

import time


class Clock:
    """Converts emulated seconds into real deadlines on the monotonic clock.

    Transitions store real deadlines, so comparing them with ``now()`` needs no
    further scaling. ``speed`` 60 turns a 120 s conversion into 2 real seconds.
    """

    def __init__(self, speed=1.0):
        if speed <= 0:
            raise ValueError(f"speed must be a positive number, got {speed}")
        self.speed = float(speed)
        self.started = time.monotonic()

    def now(self):
        """Return the current real monotonic time in seconds."""
        return time.monotonic()

    def after(self, emulated_seconds, start=None):
        """Return the real deadline ``emulated_seconds`` after ``start`` or now."""
        if start is None:
            start = self.now()
        return start + float(emulated_seconds) / self.speed

    def since_start(self, emulated_seconds):
        """Return the real deadline ``emulated_seconds`` after the emulator started."""
        return self.after(emulated_seconds, self.started)
