package dev.switchboard.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Starts the hub: reads {@code switchboard.yaml}, opens connections and the store, loads the route files. */
@SpringBootApplication
@EnableConfigurationProperties(SwitchboardProperties.class)
public class SwitchboardApplication {

    public static void main(String[] args) {
        SpringApplication.run(SwitchboardApplication.class, args);
    }
}
