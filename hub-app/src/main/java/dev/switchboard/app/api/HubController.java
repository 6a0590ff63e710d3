package dev.switchboard.app.api;

import dev.switchboard.api.HubApi;
import dev.switchboard.api.model.ReloadResult;
import dev.switchboard.app.HubReloader;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class HubController implements HubApi {

    private final HubReloader reloader;

    HubController(HubReloader reloader) {
        this.reloader = reloader;
    }

    @Override
    public ResponseEntity<ReloadResult> reload() {
        HubReloader.Result result = reloader.reload();
        if (!result.applied()) {
            throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "the files have " + result.problems().size()
                    + " problem(s); nothing was changed", result.problems());
        }
        return ResponseEntity.ok(new ReloadResult(List.copyOf(result.routes().added()),
                List.copyOf(result.routes().replaced()), List.copyOf(result.routes().removed()),
                List.copyOf(result.syncJobs()), result.notes()));
    }
}
