#!/usr/bin/env bash
# jdb.sh 10.1.60|11.0.25 [lock]: the deterministic reproduction. Starts the prepared Tomcat
# (default connector) under JPDA and drives jdb (jdbrepro.py): the application thread is held
# right after its failed flush handed the error to a container thread, a fresh connection takes
# the recycled processor, and the held thread then marks that connection's response failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$1
tomcat=$("$here/prepare.sh" "$version")
case $version in 10.1.60) port=18180 jdwp=18301 line=449 ;; 11.0.25) port=18280 jdwp=18302 line=448 ;; esac
sed -i 's/ processorCache="0"//' "$tomcat/conf/server.xml"
rm -rf "$tomcat"/logs/* "$tomcat"/work/*
JPDA_ADDRESS=127.0.0.1:$jdwp JPDA_SUSPEND=n CATALINA_PID=$tomcat/catalina.pid "$tomcat/bin/catalina.sh" jpda start >/dev/null
for _ in $(seq 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/repro/static.txt" && break; sleep 1; done
python3 "$here/jdbrepro.py" "$port" "$jdwp" "$line" ${2:-} || true
CATALINA_PID=$tomcat/catalina.pid "$tomcat/bin/catalina.sh" stop 10 -force >/dev/null 2>&1 || true
echo "--- access log:"; cat "$tomcat"/logs/localhost_access_log.*.txt
echo "--- application log:"; cut -c1-250 "$tomcat"/logs/localhost.*.log 2>/dev/null || true
