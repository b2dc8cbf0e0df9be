"""Watch folders → claimed dossiers in the staging bucket, for any worker to take.

``watch``: what a clerk dropped, when it is complete, where it ends up; ``clerk``: what the
clerk reads in done/ and failed/; ``staging``: how a claimed dossier and its run's state
travel through the staging bucket."""

from pipeline.intake import clerk, staging
from pipeline.intake.watch import Claim, StabilityTracker, WatchFolder, dossier_files, needs_polling

__all__ = ["Claim", "StabilityTracker", "WatchFolder", "clerk", "dossier_files", "needs_polling", "staging"]
