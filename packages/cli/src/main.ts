#!/usr/bin/env node
console.log("embedeval");
