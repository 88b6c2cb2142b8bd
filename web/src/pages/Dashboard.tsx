// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Dashboard() {
  return <PageTitle>Dashboard</PageTitle>;
}
