/**
 * CDK entry point. Pick the stage with `-c stage=dev|test|live`; an unknown or missing stage fails synth.
 *   npx cdk synth --all -c stage=dev
 *   npx cdk deploy --all -c stage=live
 */
import { App } from 'aws-cdk-lib';
import { resolveStage } from './config/stages.js';
import { createLrsGateway } from './lrs-gateway.js';

const app = new App();
const stage = resolveStage(app.node.tryGetContext('stage'));
createLrsGateway(app, stage, { account: process.env.CDK_DEFAULT_ACCOUNT });
app.synth();
