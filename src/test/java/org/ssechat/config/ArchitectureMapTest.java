package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/architecture.md and the package folders under
 * src/main/java/org/ssechat are the same list: a folder added, moved or removed shows here until
 * the map says so. The map describes packages, not classes, so a class may move within its
 * package without touching the docs.
 */
class ArchitectureMapTest {

    private static final Path DOC = Path.of("docs/architecture.md");
    private static final Path SOURCES = Path.of("src/main/java/org/ssechat");
    private static final String SECTION = "## The package map";
    /** A row of the map: {@code | `broker/redis/` | what it holds | main classes |}. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9/]+)/` \\|");

    /** The folders the map names, as {@code broker/redis}, in the map's order. */
    private static List<String> mappedPackages() throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        int start = lines.indexOf(SECTION);
        assertTrue(start >= 0, DOC + " has a section '" + SECTION + "'");
        List<String> rows = lines.subList(start + 1, lines.size()).stream()
                .takeWhile(line -> !line.startsWith("## "))
                .map(ROW::matcher)
                .filter(Matcher::find)
                .map(row -> row.group(1))
                .toList();
        assertFalse(rows.isEmpty(), "the package map has rows");
        return rows;
    }

    /** Every folder under the sources, as {@code broker/redis}. */
    private static Set<String> packageFolders() throws Exception {
        try (Stream<Path> paths = Files.walk(SOURCES)) {
            return paths.filter(Files::isDirectory)
                    .filter(folder -> !folder.equals(SOURCES))
                    .map(folder -> SOURCES.relativize(folder).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void everyPackageFolderHasALineInTheMap() throws Exception {
        Set<String> missing = packageFolders();
        mappedPackages().forEach(missing::remove);
        assertEquals(Set.of(), missing, "package folders the map of " + DOC + " does not describe");
    }

    @Test
    void everyLineOfTheMapNamesAFolderThatExists() throws Exception {
        Set<String> stale = new TreeSet<>(mappedPackages());
        stale.removeAll(packageFolders());
        assertEquals(Set.of(), stale, "lines of the map of " + DOC + " whose folder does not exist");
    }

    @Test
    void theMapNamesEachPackageOnce() throws Exception {
        List<String> rows = mappedPackages();
        assertEquals(rows.size(), Set.copyOf(rows).size(), "a package with two lines: " + rows);
    }
}
