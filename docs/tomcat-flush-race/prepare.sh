#!/usr/bin/env bash
# prepare.sh 10.1.60|11.0.25: a stock Tomcat from Maven Central in $WORK (default
# /tmp/tomcat-flush-race), its ports moved off 8080 (10.1.60: 18180, 11.0.25: 18280), with the
# reproduction's two servlets and a 3 KB static file deployed as /repro. Needs a JDK 17+ and Maven.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$1
work=${WORK:-/tmp/tomcat-flush-race}
case $version in
  10.1.60) http=18180 shutdown=18105 ;;
  11.0.25) http=18280 shutdown=18205 ;;
  *) echo "usage: prepare.sh 10.1.60|11.0.25" >&2; exit 2 ;;
esac
mkdir -p "$work"
tomcat=$work/apache-tomcat-$version
if [ ! -d "$tomcat" ]; then
  (cd "$work" && mvn -q dependency:copy -Dartifact=org.apache.tomcat:tomcat:$version:tar.gz -DoutputDirectory="$work") >&2
  tar xzf "$work/tomcat-$version.tar.gz" -C "$work"
  sed -i "s/<Server port=\"8005\"/<Server port=\"$shutdown\"/; s/<Connector port=\"8080\"/<Connector port=\"$http\"/" \
    "$tomcat/conf/server.xml"
fi
app=$tomcat/webapps/repro
rm -rf "$app" && mkdir -p "$app/WEB-INF/classes"
javac --release 17 -cp "$tomcat/lib/servlet-api.jar" -d "$app/WEB-INF/classes" "$here"/SseServlet.java "$here"/ProbeServlet.java
{ echo static-begin; head -c 3000 /dev/zero | tr '\0' x; echo; echo static-end; } >"$app/static.txt"
echo "$tomcat"
