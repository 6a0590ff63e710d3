package dev.switchboard.benchmarks.baseline;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The B4 start-up baseline: Spring Boot (web MVC + actuator) and Camel with one route, nothing else. Ready means
 * {@code /actuator/health} answers UP, as for the hub.
 */
@SpringBootApplication
public class BaselineApplication {

    public static void main(String[] args) {
        SpringApplication.run(BaselineApplication.class, args);
    }

    @Bean
    RouteBuilder oneRoute() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:baseline?period=60000").routeId("baseline").log("tick");
            }
        };
    }
}
