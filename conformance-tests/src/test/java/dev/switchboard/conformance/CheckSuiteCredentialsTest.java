package dev.switchboard.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CheckSuiteCredentialsTest {

    @Test
    void aStatusCodeCountsOnlyAsAWholeNumber() {
        assertThat("MLflow answered HTTP 401").matches(CheckSuite.CREDENTIALS);
        assertThat("403: the token may not read models").matches(CheckSuite.CREDENTIALS);
        assertThat("MLflow at http://127.0.0.1:39401 did not answer within PT1S").doesNotMatch(CheckSuite.CREDENTIALS);
        assertThat("GitHub at http://127.0.0.1:40312 answered 503").doesNotMatch(CheckSuite.CREDENTIALS);
    }
}
