import { gossipGlomers } from "./gossip-glomers/index.js";
import { kvStore } from "./kv-store/index.js";
import type { Challenge, Stage } from "./types.js";

export const challenges: readonly Challenge[] = [kvStore, gossipGlomers];

export function findChallenge(key: string): Challenge | undefined {
  return challenges.find((c) => c.key === key);
}

export function findStage(challenge: Challenge, key: string): Stage | undefined {
  return challenge.stages.find((s) => s.key === key);
}

export function stageIndex(challenge: Challenge, key: string): number {
  return challenge.stages.findIndex((s) => s.key === key);
}
