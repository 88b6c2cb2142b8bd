// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function System() {
  return <PageTitle>System</PageTitle>;
}
