package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's Development tree names every class of the application, in its package's line. */
class ReadmeTreeTest {

    @Test
    void theTreeNamesEveryClassInItsPackage() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("src/main/java/org/ssechat/\n");
        String tree = readme.substring(start, readme.indexOf("```", start));
        Path sources = Path.of("src/main/java/org/ssechat");
        List<String> missing;
        try (Stream<Path> files = Files.walk(sources)) {
            missing = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> !packageLines(tree, sources.relativize(file.getParent()).toString())
                            .matches("(?s).*\\b" + file.getFileName().toString().replace(".java", "") + "\\b.*"))
                    .map(file -> sources.relativize(file).toString())
                    .sorted()
                    .toList();
        }
        assertEquals(List.of(), missing, "classes the README's Development tree does not name");
    }

    /** The lines of one package in the tree: its own line and the indented ones that follow. */
    private static String packageLines(String tree, String pkg) {
        int at = tree.indexOf("\n  " + pkg + "/");
        if (at < 0) {
            return "";
        }
        List<String> lines = tree.substring(at + 1).lines().toList();
        StringBuilder text = new StringBuilder(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            if (!line.startsWith("            ")) {
                break;
            }
            text.append(' ').append(line);
        }
        return text.toString();
    }
}
