#!/usr/bin/env bash
# run.sh 10.1.60|11.0.25 default|cache0 SECONDS [lock]: the statistical reproduction. Starts the
# prepared Tomcat (default connector, or processorCache="0"), runs client.py against it for
# SECONDS (with "lock": streams that keep every touch in one per-stream order), prints the counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$1 mode=$2 seconds=$3 lock=${4:-}
tomcat=$("$here/prepare.sh" "$version")
port=$([ "$version" = 10.1.60 ] && echo 18180 || echo 18280)
sed -i 's/ processorCache="0"//' "$tomcat/conf/server.xml"
[ "$mode" = cache0 ] && sed -i "s/<Connector port=\"$port\" protocol=\"HTTP\/1.1\"/& processorCache=\"0\"/" "$tomcat/conf/server.xml"
rm -rf "$tomcat"/logs/* "$tomcat"/work/*
CATALINA_PID=$tomcat/catalina.pid CATALINA_OPTS="-Xmx256m" "$tomcat/bin/catalina.sh" start >/dev/null
for _ in $(seq 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/repro/static.txt" && break; sleep 1; done
echo "== Tomcat $version connector=$mode app-lock=${lock:-no} ${seconds}s: $(grep -o "<Connector port=\"$port\"[^>]*" "$tomcat/conf/server.xml" | tr -s ' \n' ' ')"
python3 "$here/client.py" "$port" "$seconds" $lock
echo "  server: $(curl -s "http://127.0.0.1:$port/repro/probe?stats")"
CATALINA_PID=$tomcat/catalina.pid "$tomcat/bin/catalina.sh" stop 10 -force >/dev/null 2>&1 || true
grep -h "PROBE\|ticker: unexpected\|never wrote" "$tomcat"/logs/*.log "$tomcat/logs/catalina.out" 2>/dev/null | head -4 | cut -c1-330 || true
