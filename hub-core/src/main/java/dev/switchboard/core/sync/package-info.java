/**
 * The sync engine: keeps the model versions of one registry connection in step with another, declaratively,
 * idempotently and incrementally. {@link dev.switchboard.core.sync.SyncService} is the API (plan, apply, runs);
 * {@link dev.switchboard.core.sync.SyncTriggers} runs jobs on a schedule and on inbox events.
 *
 * <p>A job is a {@link dev.switchboard.core.config.SyncJobSpec}, written in {@code switchboard.yaml} as:
 * <pre>{@code
 * switchboard:
 *   sync-jobs:
 *     mlflow-to-sagemaker:
 *       source: mlflow-prod                 # connections with a model registry
 *       target: sagemaker-prod
 *       page-size: 100
 *       selection:                          # all optional; empty = everything
 *         models: ["churn-*", "fraud-v?"]   # globs: * ? [a-z]
 *         aliases: [champion]               # at least one of these
 *         stages: [PRODUCTION]              # one of these
 *         tags: { team: fraud, reviewed: "*" }
 *       mapping:
 *         alias-approval: { champion: APPROVED }
 *         stage-approval: { ARCHIVED: REJECTED }
 *         approval-stage: { APPROVED: PRODUCTION }
 *         default-approval: PENDING
 *         tag-renames: { owner: team-owner }
 *       artifacts:
 *         mode: copy                        # or reference (the default)
 *         copy-to: s3://models-prod/synced
 *       trigger:
 *         interval: 15m
 *         events: [model_version.created, model_version.alias_set]
 * }</pre>
 *
 * <p>State lives in the hub's store: the job's cursor ({@code sync_cursor}, name {@code sync:<job>}), the links from
 * source to target objects with the fingerprint of what was written ({@code identity_map}), and every run with
 * every object's outcome ({@code sync_run}, {@code sync_outcome}).
 */
package dev.switchboard.core.sync;
