import '@xyflow/react/dist/style.css';
import './base.css';
import './field.css';
import './environments.css';
import './jobs.css';
import './services.css';
import './notifications.css';
import './cluster.css';
