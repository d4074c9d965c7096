package io.tideline.cli;

import io.tideline.runtime.RuntimeHome;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/** A test's HTTP client for a runtime: trusts the home's Tideline CA only and checks names, like the CLI's. */
final class Https {

    private Https() {
    }

    static HttpClient client(Path home) {
        return CliTls.httpClient(new RuntimeHome(home), Duration.ofSeconds(10));
    }
}
