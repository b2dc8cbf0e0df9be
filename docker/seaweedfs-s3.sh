#!/bin/sh
# Fills in docker/seaweedfs-s3.json (the S3 gateway's identities, mounted read-only at
# $S3_CONFIG_TEMPLATE) from S3_ACCESS_KEY and S3_SECRET_KEY (sohoa's), S3_READER_ACCESS_KEY and
# S3_READER_SECRET_KEY (downstream readers': read and list S3_ARCHIVE_BUCKET only), writes it
# where only this container can read it ($S3_CONFIG), then runs the given command (the filer).
set -eu
: "${S3_CONFIG_TEMPLATE:=/etc/seaweedfs/s3.json.template}"
: "${S3_CONFIG:=/tmp/s3.json}"
: "${S3_ACCESS_KEY:?S3_ACCESS_KEY is not set}"
: "${S3_SECRET_KEY:?S3_SECRET_KEY is not set}"
: "${S3_READER_ACCESS_KEY:?S3_READER_ACCESS_KEY is not set}"
: "${S3_READER_SECRET_KEY:?S3_READER_SECRET_KEY is not set}"
: "${S3_ARCHIVE_BUCKET:?S3_ARCHIVE_BUCKET is not set}"
# Keys go into JSON through sed: letters, digits and + / = . _ - only (as AWS and MinIO keys are).
case "$S3_ACCESS_KEY$S3_SECRET_KEY$S3_READER_ACCESS_KEY$S3_READER_SECRET_KEY" in
  *[!A-Za-z0-9+/=._-]*)
    echo "seaweedfs-s3.sh: the S3 access keys and secret keys may hold only letters, digits and + / = . _ -" >&2
    exit 78 ;;
esac
case "$S3_ARCHIVE_BUCKET" in
  *[!a-z0-9.-]*)
    echo "seaweedfs-s3.sh: S3_ARCHIVE_BUCKET is not a bucket name" >&2
    exit 78 ;;
esac
if [ "$S3_READER_ACCESS_KEY" = "$S3_ACCESS_KEY" ]; then
  echo "seaweedfs-s3.sh: the readers' access key must not be sohoa's" >&2
  exit 78
fi
umask 077
sed -e "s|\${S3_ACCESS_KEY}|$S3_ACCESS_KEY|g" -e "s|\${S3_SECRET_KEY}|$S3_SECRET_KEY|g" \
  -e "s|\${S3_READER_ACCESS_KEY}|$S3_READER_ACCESS_KEY|g" \
  -e "s|\${S3_READER_SECRET_KEY}|$S3_READER_SECRET_KEY|g" \
  -e "s|\${S3_ARCHIVE_BUCKET}|$S3_ARCHIVE_BUCKET|g" \
  "$S3_CONFIG_TEMPLATE" > "$S3_CONFIG.tmp"
mv "$S3_CONFIG.tmp" "$S3_CONFIG"
exec "$@"
