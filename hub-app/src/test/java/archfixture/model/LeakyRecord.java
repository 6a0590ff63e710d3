package archfixture.model;

/** Fixture: a "canonical" record that leaks a framework type (violates canonicalModelIsPure). */
public record LeakyRecord(org.springframework.jdbc.core.JdbcTemplate jdbc) {
}
