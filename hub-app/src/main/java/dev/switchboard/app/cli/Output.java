package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.JSON;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints results as an aligned table (default) or JSON ({@code --json}), and API errors as one clear line. */
final class Output {

    private Output() {
    }

    static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], String.valueOf(row.get(i)).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = String.valueOf(row.get(i));
                line.append(i == row.size() - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static void json(PrintWriter out, Object value) {
        out.println(JSON.getDefault().getMapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    /** The {@code problems} a problem document lists (a reload's invalid files), or none. */
    static List<String> problems(ApiException failure) {
        List<String> problems = new ArrayList<>();
        try {
            JSON.getDefault().getMapper().readTree(failure.getResponseBody()).path("problems")
                    .forEach(problem -> problems.add(problem.asText()));
        } catch (Exception ignored) {
            // not a problem document: none
        }
        return problems;
    }

    /** An API failure as a message: the problem's detail when the hub sent one, else the status. */
    static String describe(ApiException failure) {
        if (failure.getCode() == 0) {
            return "cannot reach the hub: " + failure.getMessage();
        }
        String body = failure.getResponseBody();
        try {
            var detail = JSON.getDefault().getMapper().readTree(body).path("detail").asString();
            if (!detail.isEmpty()) {
                return "HTTP " + failure.getCode() + ": " + detail;
            }
        } catch (Exception ignored) {
            // not a problem document: fall through
        }
        return "HTTP " + failure.getCode();
    }
}
