import { packageBuildConfig } from "../../tsdown.package.ts";

export default packageBuildConfig(import.meta.dirname);
