#!/bin/sh
# Claims each job in the file queue by renaming it into claimed/ (atomic: of two workers only one wins), pipes it to $TRAIN, moves it to done/ on success.
q="${QUEUE:-./var/retrain-queue}"; train="${TRAIN:-./train.sh}"
for f in "$q"/ready/*.json; do [ -e "$f" ] || continue; n="${f##*/}"
  mv "$f" "$q/claimed/$n" 2>/dev/null || continue
  "$train" < "$q/claimed/$n" && mv "$q/claimed/$n" "$q/done/$n"
done
