"""Watch folders → claimed dossiers in the staging bucket, for any worker to take."""
