package dev.switchboard.conformance.fakes.sagemaker;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.switchboard.conformance.fakes.Faults;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The state and operations of the SageMaker fake, answering every request WireMock receives as the SageMaker API
 * does with the awsJson 1.1 protocol: {@code POST /} only, {@code Content-Type: application/x-amz-json-1.1},
 * the operation in {@code X-Amz-Target: SageMaker.<Operation>}, a SigV4 {@code Authorization} whose scope names the
 * service {@code sagemaker}, timestamps as epoch seconds with a fraction, {@code NextToken} paging with
 * {@code MaxResults} limited to 1-100, and errors as {@code {"__type":"<Code>","message":...}} with the
 * {@code x-amzn-ErrorType} header (for {@code ValidationException} with the ":http://internal..." suffix real
 * services add). Like SageMaker it answers a missing object with {@code ValidationException "... does not
 * exist."}, not {@code ResourceNotFound}, omits {@code ModelPackageName} from the summaries of versioned packages,
 * lists unversioned packages only unless asked for {@code ModelPackageType=Versioned} or a group, and returns the
 * first package for a repeated {@code ClientToken}.
 */
final class SageMakerApi implements ResponseDefinitionTransformerV2 {

    static final String ACCOUNT = "123456789012";
    static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern GROUP_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    private static final Pattern CLIENT_TOKEN = Pattern.compile("[a-zA-Z0-9-]{1,36}");
    private static final Pattern PROPERTY_TEXT = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    private static final Pattern MODEL_DATA_URL = Pattern.compile("(https|s3)://([^/]+)/?(.*)");
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request");
    private static final Pattern PACKAGE_ARN = Pattern.compile(
            "arn:aws:sagemaker:[a-z0-9-]+:\\d{12}:model-package/([^/]+)/(\\d{1,9})");
    private static final Pattern GROUP_ARN = Pattern.compile("arn:aws:sagemaker:[a-z0-9-]+:\\d{12}:model-package-group/(.+)");
    private static final int DEFAULT_MAX_RESULTS = 10;

    private final SageMakerFake fake;
    private final Map<String, Function<JsonNode, ObjectNode>> operations = new HashMap<>();

    // State; guarded by "this". Groups by lower-case name, as SageMaker's ARNs are lower case.
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, String> clientTokens = new HashMap<>();
    private final Map<String, ApiError> injected = new HashMap<>();
    private String region = "us-east-1";
    private long lastTimeMicros;

    SageMakerApi(SageMakerFake fake) {
        this.fake = fake;
        operations.put("CreateModelPackageGroup", this::createGroup);
        operations.put("DescribeModelPackageGroup", r -> groupJson(group(required(r, "ModelPackageGroupName"))));
        operations.put("ListModelPackageGroups", this::listGroups);
        operations.put("CreateModelPackage", this::createPackage);
        operations.put("DescribeModelPackage", r -> describePackage(pkg(required(r, "ModelPackageName"))));
        operations.put("ListModelPackages", this::listPackages);
        operations.put("UpdateModelPackage", this::updatePackage);
        operations.put("AddTags", this::addTags);
        operations.put("ListTags", this::listTags);
        operations.put("Search", this::search);
    }

    @Override
    public String getName() {
        return "switchboard-sagemaker-fake";
    }

    synchronized void reset() {
        groups.clear();
        clientTokens.clear();
        injected.clear();
    }

    /** The next call of {@code operation} fails with this AWS error instead of running. */
    synchronized void failNext(String operation, int status, String type, String message) {
        injected.put(operation, new ApiError(status, type, message));
    }

    // ---------------------------------------------------------------- HTTP

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        var request = serveEvent.getRequest();
        String target = Optional.ofNullable(request.getHeader("X-Amz-Target")).orElse("");
        Optional<Faults.Fault> fault = fake.faults().take(target);
        if (fault.isPresent() && fault.get().kind() != Faults.Kind.SLOW) {
            return switch (fault.get().kind()) {
                case CONNECTION_RESET -> new ResponseDefinitionBuilder()
                        .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER).build();
                case RATE_LIMITED -> respond(error(new ApiError(400, "ThrottlingException", "Rate exceeded")));
                default -> respond(error(new ApiError(fault.get().status(), fault.get().status() == 503
                        ? "ServiceUnavailable" : "InternalFailure", "We encountered an internal error. Please try again.")));
            };
        }
        Response response;
        if (!request.getMethod().getName().equals("POST") || !request.getUrl().equals("/")) {
            response = error(new ApiError(404, "UnknownOperationException", null));
        } else {
            response = handle(target, request.getHeader("Content-Type"), request.getHeader("Authorization"),
                    request.getBody());
        }
        ResponseDefinitionBuilder builder = new ResponseDefinitionBuilder().withStatus(response.status)
                .withHeader("Content-Type", CONTENT_TYPE).withHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .withBody(response.body);
        response.headers.forEach(builder::withHeader);
        fault.ifPresent(slow -> builder.withFixedDelay((int) slow.delay().toMillis()));
        ResponseDefinition definition = builder.build();
        fake.flushEvents();
        return definition;
    }

    private static ResponseDefinition respond(Response response) {
        ResponseDefinitionBuilder builder = new ResponseDefinitionBuilder().withStatus(response.status)
                .withHeader("Content-Type", CONTENT_TYPE).withBody(response.body);
        response.headers.forEach(builder::withHeader);
        return builder.build();
    }

    /** Runs one operation; also the entry point of the fake's seeding methods (no HTTP, no signature). */
    synchronized Response handle(String target, String contentType, String authorization, byte[] body) {
        try {
            if (authorization != null || contentType != null) {
                checkProtocol(contentType, authorization);
            }
            if (!target.startsWith("SageMaker.") || !operations.containsKey(target.substring("SageMaker.".length()))) {
                throw new ApiError(400, "UnknownOperationException", null);
            }
            String operation = target.substring("SageMaker.".length());
            ApiError failure = injected.remove(operation);
            if (failure != null) {
                throw failure;
            }
            JsonNode input;
            try {
                input = body == null || body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (RuntimeException e) {
                throw new ApiError(400, "SerializationException", "Start of structure or map found where not expected.");
            }
            return new Response(200, operations.get(operation).apply(input).toString(), Map.of());
        } catch (ApiError e) {
            return error(e);
        }
    }

    private void checkProtocol(String contentType, String authorization) {
        if (contentType == null || !contentType.startsWith(CONTENT_TYPE)) {
            throw new ApiError(400, "UnknownOperationException", null);
        }
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            throw new ApiError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher scope = SCOPE.matcher(authorization);
        if (!scope.find() || !scope.group(2).equals("sagemaker")) {
            throw new ApiError(400, "InvalidSignatureException", "Credential should be scoped to correct service: 'sagemaker'.");
        }
        region = scope.group(1);
        String expectedKey = fake.requiredAccessKeyId();
        if (expectedKey != null && !authorization.contains("Credential=" + expectedKey + "/")) {
            throw new ApiError(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
    }

    private static Response error(ApiError e) {
        ObjectNode body = JSON.createObjectNode().put("__type", e.type);
        if (e.getMessage() != null) {
            body.put("message", e.getMessage());
        }
        String header = e.type.equals("ValidationException")
                ? e.type + ":http://internal.amazon.com/coral/com.amazon.coral.validate/" : e.type;
        return new Response(e.status, body.toString(), Map.of("x-amzn-ErrorType", header));
    }

    // ---------------------------------------------------------------- groups

    private ObjectNode createGroup(JsonNode r) {
        String name = required(r, "ModelPackageGroupName");
        if (!GROUP_NAME.matcher(name).matches()) {
            throw validation("1 validation error detected: Value '" + name + "' at 'modelPackageGroupName' failed to "
                    + "satisfy constraint: Member must satisfy regular expression pattern: " + GROUP_NAME.pattern());
        }
        String key = name.toLowerCase(Locale.ROOT);
        if (groups.containsKey(key)) {
            throw validation("Model Package Group already exists: " + groups.get(key).arn);
        }
        Group group = new Group(name, "arn:aws:sagemaker:" + region + ":" + ACCOUNT + ":model-package-group/" + key,
                r.path("ModelPackageGroupDescription").asString(null), now());
        r.path("Tags").forEach(tag -> group.tags.put(tag.path("Key").asString(), tag.path("Value").asString("")));
        if (group.tags.size() > 50) {
            throw validation("Tags must have at most 50 entries");
        }
        groups.put(key, group);
        return JSON.createObjectNode().put("ModelPackageGroupArn", group.arn);
    }

    private Group group(String nameOrArn) {
        Matcher arn = GROUP_ARN.matcher(nameOrArn);
        String key = (arn.matches() ? arn.group(1) : nameOrArn).toLowerCase(Locale.ROOT);
        Group group = groups.get(key);
        if (group == null) {
            throw validation("ModelPackageGroup arn:aws:sagemaker:" + region + ":" + ACCOUNT + ":model-package-group/"
                    + key + " does not exist.");
        }
        return group;
    }

    private ObjectNode groupJson(Group group) {
        ObjectNode node = JSON.createObjectNode().put("ModelPackageGroupName", group.name)
                .put("ModelPackageGroupArn", group.arn).put("CreationTime", epoch(group.created))
                .put("ModelPackageGroupStatus", "Completed");
        if (group.description != null) {
            node.put("ModelPackageGroupDescription", group.description);
        }
        node.putObject("CreatedBy");
        return node;
    }

    private ObjectNode listGroups(JsonNode r) {
        String contains = r.path("NameContains").asString(null);
        List<Group> matching = groups.values().stream()
                .filter(g -> contains == null || g.name.toLowerCase(Locale.ROOT).contains(contains.toLowerCase(Locale.ROOT)))
                .sorted(comparator(r, Comparator.comparing((Group g) -> g.name), Comparator.comparing((Group g) -> g.created)))
                .toList();
        return page(r, matching, "ModelPackageGroupSummaryList", g -> {
            ObjectNode node = JSON.createObjectNode().put("ModelPackageGroupName", g.name)
                    .put("ModelPackageGroupArn", g.arn).put("CreationTime", epoch(g.created))
                    .put("ModelPackageGroupStatus", "Completed");
            if (g.description != null) {
                node.put("ModelPackageGroupDescription", g.description);
            }
            return node;
        });
    }

    // ---------------------------------------------------------------- packages

    private ObjectNode createPackage(JsonNode r) {
        if (r.hasNonNull("ModelPackageName") && r.hasNonNull("ModelPackageGroupName")) {
            throw validation("Both ModelPackageName and ModelPackageGroupName cannot be specified.");
        }
        if (!r.hasNonNull("ModelPackageGroupName")) {
            throw validation("The fake holds versioned model packages only: set ModelPackageGroupName.");
        }
        String token = r.path("ClientToken").asString(null);
        if (token != null && !CLIENT_TOKEN.matcher(token).matches()) {
            throw validation("1 validation error detected: Value '" + token + "' at 'clientToken' failed to satisfy "
                    + "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$ and length 1-36");
        }
        Group group = group(r.path("ModelPackageGroupName").asString());
        if (token != null && clientTokens.containsKey(token)) {
            return JSON.createObjectNode().put("ModelPackageArn", clientTokens.get(token));
        }
        Map<String, String> properties = properties(r.path("CustomerMetadataProperties"), new LinkedHashMap<>());
        Map<String, String> tags = tags(r.path("Tags"));
        String approval = r.path("ModelApprovalStatus").asString("PendingManualApproval");
        checkApproval(approval);
        JsonNode inference = r.get("InferenceSpecification");
        if (inference != null) {
            checkInference(inference);
        }
        int version = group.packages.size() + 1;
        Instant created = now();
        Package p = new Package(group, version, group.arn.replace(":model-package-group/", ":model-package/") + "/"
                + version, r.path("ModelPackageDescription").asString(null), inference, created);
        p.approval = approval;
        p.properties.putAll(properties);
        p.tags.putAll(tags);
        group.packages.add(p);
        if (token != null) {
            clientTokens.put(token, p.arn);
        }
        fake.emitStateChange(describePackage(p));
        return JSON.createObjectNode().put("ModelPackageArn", p.arn);
    }

    private void checkInference(JsonNode inference) {
        JsonNode containers = inference.path("Containers");
        if (!containers.isArray() || containers.isEmpty() || containers.size() > 15) {
            throw validation("InferenceSpecification.Containers must have 1 to 15 members");
        }
        for (JsonNode container : containers) {
            String image = container.path("Image").asString("");
            if (image.isEmpty() || image.length() > 255) {
                throw validation("1 validation error detected: Value null at 'inferenceSpecification.containers.1.member.image' "
                        + "failed to satisfy constraint: Member must not be null");
            }
            String url = container.path("ModelDataUrl").asString(null);
            if (url != null && (url.length() > 1024 || !MODEL_DATA_URL.matcher(url).matches())) {
                throw validation("Value '" + url + "' at 'inferenceSpecification.containers.1.member.modelDataUrl' "
                        + "failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$");
            }
        }
    }

    private static void checkApproval(String approval) {
        if (!List.of("Approved", "Rejected", "PendingManualApproval").contains(approval)) {
            throw validation("Value '" + approval + "' at 'modelApprovalStatus' failed to satisfy constraint: Member "
                    + "must satisfy enum value set: [Approved, Rejected, PendingManualApproval]");
        }
    }

    private static Map<String, String> properties(JsonNode node, Map<String, String> into) {
        node.properties().forEach(e -> into.put(e.getKey(), e.getValue().asString("")));
        checkProperties(into);
        return into;
    }

    private static void checkProperties(Map<String, String> properties) {
        if (properties.size() > 50) {
            throw validation("CustomerMetadataProperties must have at most 50 entries, but had " + properties.size());
        }
        properties.forEach((key, value) -> {
            if (key.isEmpty() || key.length() > 128 || !PROPERTY_TEXT.matcher(key).matches()
                    || value.isEmpty() || value.length() > 256 || !PROPERTY_TEXT.matcher(value).matches()) {
                throw validation("1 validation error detected: Value at 'customerMetadataProperties' failed to "
                        + "satisfy constraint: Map keys must be 1-128 and values 1-256 characters matching "
                        + PROPERTY_TEXT.pattern());
            }
        });
    }

    private Package pkg(String nameOrArn) {
        Matcher arn = PACKAGE_ARN.matcher(nameOrArn);
        String group;
        int version;
        if (arn.matches()) {
            group = arn.group(1);
            version = Integer.parseInt(arn.group(2));
        } else if (nameOrArn.matches("[^/:]+/\\d{1,9}")) {
            group = nameOrArn.substring(0, nameOrArn.indexOf('/'));
            version = Integer.parseInt(nameOrArn.substring(nameOrArn.indexOf('/') + 1));
        } else {
            throw validation("Model Package " + nameOrArn + " does not exist.");
        }
        Group g = groups.get(group.toLowerCase(Locale.ROOT));
        if (g == null || version < 1 || version > g.packages.size()) {
            throw validation("Model Package arn:aws:sagemaker:" + region + ":" + ACCOUNT + ":model-package/"
                    + group.toLowerCase(Locale.ROOT) + "/" + version + " does not exist.");
        }
        return g.packages.get(version - 1);
    }

    ObjectNode describePackage(Package p) {
        ObjectNode node = JSON.createObjectNode().put("ModelPackageName", p.group.name)
                .put("ModelPackageGroupName", p.group.name).put("ModelPackageVersion", p.version)
                .put("ModelPackageArn", p.arn).put("CreationTime", epoch(p.created))
                .put("ModelPackageStatus", "Completed").put("ModelApprovalStatus", p.approval)
                .put("LastModifiedTime", epoch(p.modified)).put("CertifyForMarketplace", false);
        node.putObject("ModelPackageStatusDetails").putArray("ValidationStatuses");
        ((ObjectNode) node.get("ModelPackageStatusDetails")).putArray("ImageScanStatuses");
        if (p.description != null) {
            node.put("ModelPackageDescription", p.description);
        }
        if (p.approvalDescription != null) {
            node.put("ApprovalDescription", p.approvalDescription);
        }
        if (p.inference != null) {
            node.set("InferenceSpecification", p.inference.deepCopy());
        }
        if (!p.properties.isEmpty()) {
            ObjectNode properties = node.putObject("CustomerMetadataProperties");
            p.properties.forEach(properties::put);
        }
        return node;
    }

    private ObjectNode listPackages(JsonNode r) {
        String groupName = r.path("ModelPackageGroupName").asString(null);
        String type = r.path("ModelPackageType").asString(groupName == null ? "Unversioned" : "Versioned");
        String approval = r.path("ModelApprovalStatus").asString(null);
        Double after = r.hasNonNull("CreationTimeAfter") ? r.get("CreationTimeAfter").asDouble() : null;
        Double before = r.hasNonNull("CreationTimeBefore") ? r.get("CreationTimeBefore").asDouble() : null;
        List<Package> all = new ArrayList<>();
        if (!type.equals("Unversioned")) {
            groups.values().stream().filter(g -> groupName == null || g.name.equalsIgnoreCase(groupName)
                    || g.arn.equals(groupName)).forEach(g -> all.addAll(g.packages));
        }
        List<Package> matching = all.stream()
                .filter(p -> approval == null || p.approval.equals(approval))
                .filter(p -> after == null || epoch(p.created) > after)
                .filter(p -> before == null || epoch(p.created) < before)
                .sorted(comparator(r, Comparator.comparing((Package p) -> p.group.name + "/" + p.version),
                        Comparator.comparing((Package p) -> p.created)))
                .toList();
        return page(r, matching, "ModelPackageSummaryList", p -> {
            ObjectNode node = JSON.createObjectNode().put("ModelPackageGroupName", p.group.name)
                    .put("ModelPackageVersion", p.version).put("ModelPackageArn", p.arn)
                    .put("CreationTime", epoch(p.created)).put("ModelPackageStatus", "Completed")
                    .put("ModelApprovalStatus", p.approval);
            if (p.description != null) {
                node.put("ModelPackageDescription", p.description);
            }
            return node;
        });
    }

    private ObjectNode updatePackage(JsonNode r) {
        String arn = required(r, "ModelPackageArn");
        if (!PACKAGE_ARN.matcher(arn).matches()) {
            throw validation("1 validation error detected: Value '" + arn + "' at 'modelPackageArn' failed to "
                    + "satisfy constraint: Member must satisfy regular expression pattern: arn:aws[a-z\\-]*:sagemaker:...");
        }
        Package p = pkg(arn);
        Map<String, String> properties = new LinkedHashMap<>(p.properties);
        properties(r.path("CustomerMetadataProperties"), properties);
        r.path("CustomerMetadataPropertiesToRemove").forEach(key -> properties.remove(key.asString()));
        checkProperties(properties);
        if (r.hasNonNull("ModelApprovalStatus")) {
            checkApproval(r.get("ModelApprovalStatus").asString());
            p.approval = r.get("ModelApprovalStatus").asString();
        }
        if (r.hasNonNull("ApprovalDescription")) {
            p.approvalDescription = r.get("ApprovalDescription").asString();
        }
        p.properties.clear();
        p.properties.putAll(properties);
        p.modified = now();
        fake.emitStateChange(describePackage(p));
        return JSON.createObjectNode().put("ModelPackageArn", p.arn);
    }

    // ---------------------------------------------------------------- search

    /**
     * {@code Search} over {@code ModelPackage}: a {@code SearchExpression} of filters and nested sub-expressions (all
     * must hold, or any with {@code Operator: Or}) on {@code ModelPackageGroupName}, {@code ModelApprovalStatus}, {@code CreationTime},
     * {@code LastModifiedTime}, {@code Tags.<key>} and {@code CustomerMetadataProperties.<key>}, with
     * {@code Equals}, {@code NotEquals}, {@code Exists}, {@code NotExists}, {@code GreaterThan(OrEqualTo)},
     * {@code LessThan(OrEqualTo)}; {@code MaxResults} 1-100 (default 10). Each result is a {@code SearchRecord} whose
     * {@code ModelPackage} has the fields of {@code DescribeModelPackage} plus {@code Tags}.
     */
    private ObjectNode search(JsonNode r) {
        String resource = required(r, "Resource");
        if (!resource.equals("ModelPackage")) {
            throw validation("The fake searches the resource ModelPackage only, not " + resource);
        }
        java.util.function.Predicate<Package> expression = expression(r.path("SearchExpression"));
        List<Package> matching = groups.values().stream().flatMap(g -> g.packages.stream()).filter(expression)
                .sorted(searchOrder(r)).toList();
        return page(r, matching, "Results", p -> {
            ObjectNode modelPackage = describePackage(p);
            ArrayNode tags = modelPackage.putArray("Tags");
            p.tags.forEach((key, value) -> tags.addObject().put("Key", key).put("Value", value));
            ObjectNode record = JSON.createObjectNode();
            record.set("ModelPackage", modelPackage);
            return record;
        });
    }

    /** {@code Filters} and {@code SubExpressions}, joined by the expression's {@code Operator} (default And). */
    private java.util.function.Predicate<Package> expression(JsonNode expression) {
        List<java.util.function.Predicate<Package>> parts = new ArrayList<>();
        expression.path("Filters").forEach(f -> parts.add(searchFilter(f)));
        expression.path("SubExpressions").forEach(sub -> parts.add(expression(sub)));
        boolean any = expression.path("Operator").asString("And").equals("Or");
        return p -> parts.isEmpty() || (any ? parts.stream().anyMatch(f -> f.test(p))
                : parts.stream().allMatch(f -> f.test(p)));
    }

    private java.util.function.Predicate<Package> searchFilter(JsonNode f) {
        String name = required(f, "Name");
        String op = f.path("Operator").asString("Equals");
        String value = f.path("Value").asString(null);
        java.util.function.Function<Package, String> field;
        boolean time = false;
        if (name.equals("ModelPackageGroupName")) {
            field = p -> p.group.name;
        } else if (name.equals("ModelApprovalStatus")) {
            field = p -> p.approval;
        } else if (name.equals("CreationTime") || name.equals("LastModifiedTime")) {
            time = true;
            field = p -> Double.toString(epoch(name.equals("CreationTime") ? p.created : p.modified));
        } else if (name.startsWith("Tags.")) {
            field = p -> p.tags.get(name.substring("Tags.".length()));
        } else if (name.startsWith("CustomerMetadataProperties.")) {
            field = p -> p.properties.get(name.substring("CustomerMetadataProperties.".length()));
        } else {
            throw validation("Unsupported search filter name " + name);
        }
        if (!op.equals("Exists") && !op.equals("NotExists") && value == null) {
            throw validation("1 validation error detected: Value null at 'searchExpression.filters.1.member.value'");
        }
        Double bound = time && value != null ? timeValue(value) : null;
        boolean isTime = time;
        return p -> {
            String actual = field.apply(p);
            return switch (op) {
                case "Exists" -> actual != null;
                case "NotExists" -> actual == null;
                case "Equals" -> isTime ? actual != null && Double.parseDouble(actual) == bound : value.equals(actual);
                case "NotEquals" -> actual != null && !value.equals(actual);
                case "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo" -> {
                    if (actual == null) {
                        yield false;
                    }
                    int c = isTime ? Double.compare(Double.parseDouble(actual), bound) : actual.compareTo(value);
                    yield switch (op) {
                        case "GreaterThan" -> c > 0;
                        case "GreaterThanOrEqualTo" -> c >= 0;
                        case "LessThan" -> c < 0;
                        default -> c <= 0;
                    };
                }
                default -> throw validation("Value '" + op + "' at 'searchExpression.filters.1.member.operator' "
                        + "failed to satisfy constraint: Member must satisfy enum value set");
            };
        };
    }

    /** A time as a filter value: ISO-8601 or epoch seconds. */
    private static double timeValue(String value) {
        try {
            return epoch(Instant.parse(value));
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException notANumber) {
                throw validation("Invalid timestamp " + value);
            }
        }
    }

    private static Comparator<Package> searchOrder(JsonNode r) {
        String by = r.path("SortBy").asString("LastModifiedTime");
        Comparator<Package> order = switch (by) {
            case "CreationTime" -> Comparator.comparing((Package p) -> p.created);
            case "LastModifiedTime" -> Comparator.comparing((Package p) -> p.modified);
            case "ModelPackageVersion" -> Comparator.comparingInt((Package p) -> p.version);
            default -> throw validation("Unsupported SortBy " + by);
        };
        order = order.thenComparing(p -> p.group.name).thenComparingInt(p -> p.version);
        return r.path("SortOrder").asString("Descending").equals("Ascending") ? order : order.reversed();
    }

    // ---------------------------------------------------------------- tags

    /** {@code Tags} of a create: at most 50, keys 1-128 and values 0-256 characters of SageMaker's tag set. */
    private static Map<String, String> tags(JsonNode list) {
        Map<String, String> tags = new LinkedHashMap<>();
        list.forEach(tag -> {
            String key = tag.path("Key").asString("");
            String value = tag.path("Value").asString("");
            if (key.isEmpty() || key.length() > 128 || !PROPERTY_TEXT.matcher(key).matches()
                    || value.length() > 256 || !PROPERTY_TEXT.matcher(value).matches()) {
                throw validation("1 validation error detected: Value at 'tags.1.member' failed to satisfy constraint: "
                        + "keys must be 1-128 and values 0-256 characters matching " + PROPERTY_TEXT.pattern());
            }
            tags.put(key, value);
        });
        if (tags.size() > 50) {
            throw validation("Tags must have at most 50 entries");
        }
        return tags;
    }

    private ObjectNode addTags(JsonNode r) {
        Map<String, String> tags = tagsOf(required(r, "ResourceArn"));
        r.path("Tags").forEach(tag -> tags.put(tag.path("Key").asString(), tag.path("Value").asString("")));
        if (tags.size() > 50) {
            throw new ApiError(400, "ResourceLimitExceeded", "A resource can have at most 50 tags");
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("Tags");
        r.path("Tags").forEach(list::add);
        return out;
    }

    private ObjectNode listTags(JsonNode r) {
        List<Map.Entry<String, String>> tags = new ArrayList<>(tagsOf(required(r, "ResourceArn")).entrySet());
        return page(r, tags, "Tags", e -> JSON.createObjectNode().put("Key", e.getKey()).put("Value", e.getValue()));
    }

    private Map<String, String> tagsOf(String arn) {
        if (GROUP_ARN.matcher(arn).matches()) {
            return group(arn).tags;
        }
        if (PACKAGE_ARN.matcher(arn).matches()) {
            return pkg(arn).tags;
        }
        throw validation("Invalid ResourceArn " + arn);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * One page of {@code items}: {@code MaxResults} 1-100 (default 10); the token is opaque to clients and only
     * valid for the same listing.
     */
    private <T> ObjectNode page(JsonNode r, List<T> items, String field, Function<T, ObjectNode> json) {
        int max = r.hasNonNull("MaxResults") ? r.get("MaxResults").asInt() : DEFAULT_MAX_RESULTS;
        if (max < 1 || max > 100) {
            throw validation("1 validation error detected: Value '" + max + "' at 'maxResults' failed to satisfy "
                    + "constraint: Member must have value less than or equal to 100 and greater than or equal to 1");
        }
        int offset = 0;
        String token = r.path("NextToken").asString(null);
        if (token != null) {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                offset = Integer.parseInt(decoded.substring(decoded.indexOf(':') + 1));
                if (!decoded.startsWith(field + ":") || offset < 0 || offset > items.size()) {
                    throw new IllegalArgumentException(decoded);
                }
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw validation("Invalid pagination token: " + token);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray(field);
        items.subList(offset, Math.min(items.size(), offset + max)).forEach(item -> list.add(json.apply(item)));
        if (offset + max < items.size()) {
            out.put("NextToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((field + ":" + (offset + max)).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static <T> Comparator<T> comparator(JsonNode r, Comparator<T> byName, Comparator<T> byTime) {
        Comparator<T> order = r.path("SortBy").asString("CreationTime").equals("Name") ? byName : byTime;
        return r.path("SortOrder").asString("Ascending").equals("Descending") ? order.reversed() : order;
    }

    private static String required(JsonNode r, String field) {
        String value = r.path(field).asString(null);
        if (value == null || value.isEmpty()) {
            throw validation("1 validation error detected: Value null at '" + Character.toLowerCase(field.charAt(0))
                    + field.substring(1) + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    /** Strictly increasing microsecond timestamps, so "changed after" is never ambiguous. */
    private Instant now() {
        long micros = Math.max(fake.clock().instant().toEpochMilli() * 1000, lastTimeMicros + 1000);
        lastTimeMicros = micros;
        return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
    }

    static double epoch(Instant instant) {
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }

    private static ApiError validation(String message) {
        return new ApiError(400, "ValidationException", message);
    }

    static final class Group {
        final String name;
        final String arn;
        final String description;
        final Instant created;
        final Map<String, String> tags = new LinkedHashMap<>();
        final List<Package> packages = new ArrayList<>();

        Group(String name, String arn, String description, Instant created) {
            this.name = name;
            this.arn = arn;
            this.description = description;
            this.created = created;
        }
    }

    static final class Package {
        final Group group;
        final int version;
        final String arn;
        final String description;
        final JsonNode inference;
        final Instant created;
        final Map<String, String> properties = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        String approval;
        String approvalDescription;
        Instant modified;

        Package(Group group, int version, String arn, String description, JsonNode inference, Instant created) {
            this.group = group;
            this.version = version;
            this.arn = arn;
            this.description = description;
            this.inference = inference;
            this.created = created;
            this.modified = created;
        }
    }

    record Response(int status, String body, Map<String, String> headers) {
    }

    static final class ApiError extends RuntimeException {
        final int status;
        final String type;

        ApiError(int status, String type, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
        }
    }
}
