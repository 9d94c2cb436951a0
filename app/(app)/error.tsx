"use client";

import { ErrorNotice } from "@/components/error-notice";

export default ErrorNotice;
